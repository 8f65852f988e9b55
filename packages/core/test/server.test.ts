// Server (asyncio's base_events.Server) on both loops: its sockets, serving
// and closing, waitClosed(), closeClients()/abortClients(), serveForever()
// and its cancellation, `await using`, and a port already in use.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CancelledError, RuntimeError, createConnection, createServer, sleep, type Server } from '@asyncio-ts/core';
import { AF_INET, SOCK_STREAM, Socket } from '@asyncio-ts/selectors';
import { shapes, useLoopGuard } from './fixtures/loop-guard.js';
import { Echo, Recorder, errorOf, loopKinds, portOf } from './fixtures/protocols.js';
import { onLoop } from './fixtures/transport-suite.js';

const guard = useLoopGuard();

describe.each(loopKinds)('Server on $name', (kind) => {
  it('listens on the sockets it lists, with their address and fd', async () => {
    await onLoop(guard, kind, async (loop) => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0);
      expect(server.getLoop()).toBe(loop);
      expect(server.isServing()).toBe(true);
      expect(server.sockets).toHaveLength(1);
      const port = portOf(server);
      expect(server.sockets[0]!.getsockname()).toEqual(['127.0.0.1', port]);
      expect(server.sockets[0]!.fileno()).toBeGreaterThan(2);
      expect(inspect(server)).toBe(`<Server serving sockets=[127.0.0.1:${port}] connections=0>`);
      expect(inspect(server.sockets[0])).toMatch(new RegExp(`^<ServerSocket fd=\\d+ laddr=127.0.0.1:${port}>$`));
      server.close();
      expect(server.sockets).toEqual([]);
      expect(server.isServing()).toBe(false);
      expect(inspect(server)).toBe('<Server closed sockets=[] connections=0>');
      await server.waitClosed();
    });
  });

  it('binds a host given twice once', async () => {
    await onLoop(guard, kind, async (loop) => {
      const server = await createServer(loop, () => new Echo(), ['127.0.0.1', '127.0.0.1'], 0);
      expect(server.sockets).toHaveLength(1);
      server.close();
      await server.waitClosed();
    });
  });

  it('stops accepting on close() but keeps its connections, and waitClosed() waits for them', async () => {
    await onLoop(guard, kind, async (loop) => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0);
      const port = portOf(server);
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      server.close();
      server.close();
      const closed = server.waitClosed();
      expect(await errorOf(createConnection(loop, () => new Recorder(), '127.0.0.1', port))).toMatchObject({ code: 'ECONNREFUSED' });
      transport.write('still here');
      await client.waitForBytes(10);
      expect(closed.done()).toBe(false);
      transport.close();
      await closed;
      await client.lost;
      // Once closed and empty, waitClosed() is done at once.
      await server.waitClosed();
    });
  });

  it('waits in waitClosed() until the server is closed, even with no connections', async () => {
    await onLoop(guard, kind, async (loop) => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0);
      const closed = server.waitClosed();
      await sleep(0.01);
      expect(closed.done()).toBe(false);
      server.close();
      await closed;
    });
  });

  it('closes or aborts its connections with closeClients() and abortClients()', async () => {
    await onLoop(guard, kind, async (loop) => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0);
      const port = portOf(server);
      const [, first] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      const [, second] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      await sleep(0.01);
      expect(inspect(server)).toMatch(/connections=2/);
      server.closeClients();
      await first.lost;
      await second.lost;
      const [, third] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      await sleep(0.01);
      server.abortClients();
      await third.lost;
      server.close();
      await server.waitClosed();
    });
  });

  it('serves only from startServing() when made with startServing: false', async () => {
    await onLoop(guard, kind, async (loop) => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0, { startServing: false });
      expect(server.isServing()).toBe(false);
      await server.startServing();
      await server.startServing();
      expect(server.isServing()).toBe(true);
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', portOf(server));
      transport.write('ping');
      await client.waitForBytes(4);
      expect(client.received.toString()).toBe('ping');
      transport.close();
      await client.lost;
      server.close();
      await server.waitClosed();
    });
  });

  it.each(shapes)('serves forever until the task awaiting serveForever() is cancelled, then closes (%s)', async (shape) => {
    await onLoop(guard, kind, async (loop) => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0, { startServing: false });
      const task =
        shape === 'async function'
          ? loop.createTask(async () => {
              await server.serveForever();
            })
          : loop.createTask(
              (function* () {
                yield* server.serveForever();
              })(),
            );
      await sleep(0.01);
      expect(server.isServing()).toBe(true);
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', portOf(server));
      transport.write('up');
      await client.waitForBytes(2);
      transport.close();
      await client.lost;
      task.cancel();
      expect(await errorOf(task)).toBeInstanceOf(CancelledError);
      expect(server.isServing()).toBe(false);
      expect(server.sockets).toEqual([]);
    });
  });

  it('fails serveForever() with RuntimeError when already serving forever or closed', async () => {
    await onLoop(guard, kind, async (loop) => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0);
      const forever = server.serveForever();
      await sleep(0);
      expect(await errorOf(server.serveForever())).toBeInstanceOf(RuntimeError);
      expect(String(await errorOf(server.serveForever()))).toMatch(/already being awaited on serveForever\(\)/);
      server.close();
      expect(await errorOf(forever)).toBeInstanceOf(CancelledError);
      expect(String(await errorOf(server.serveForever()))).toMatch(/is closed; create a new server/);
    });
  });

  it('closes and waits when disposed with await using', async () => {
    await onLoop(guard, kind, async (loop) => {
      let outside: Server;
      {
        await using server = await createServer(loop, () => new Echo(), '127.0.0.1', 0);
        outside = server;
        expect(server.isServing()).toBe(true);
      }
      expect(outside.sockets).toEqual([]);
    });
  });

  it('fails with an OSError EADDRINUSE when the port is taken', async () => {
    await onLoop(guard, kind, async (loop) => {
      const first = await createServer(loop, () => new Echo(), '127.0.0.1', 0);
      const port = portOf(first);
      const error = await createServer(loop, () => new Echo(), '127.0.0.1', port, { reuseAddress: false }).then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(error).toMatchObject({ name: 'OSError', code: 'EADDRINUSE' });
      expect(String((error as Error).message)).toMatch(new RegExp(`error while attempting to bind on address \\('127.0.0.1', ${port}\\).*EADDRINUSE`));
      first.close();
      await first.waitClosed();
    });
  });

  it('reports a protocolFactory() that throws for an incoming connection, and closes that connection', async () => {
    const failure = new Error('no protocol today');
    await onLoop(guard, kind, async (loop) => {
      const server = await createServer(
        loop,
        () => {
          throw failure;
        },
        '127.0.0.1',
        0,
      );
      const [, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', portOf(server));
      await client.lost;
      server.close();
      await server.waitClosed();
    });
    const errors = guard.takeErrors();
    expect(errors.map((context) => context.message)).toEqual(['Error on transport creation for incoming connection']);
    expect(errors[0]!.exception).toBe(failure);
  });

  it('listens on a bound socket passed as options.sock', async () => {
    await onLoop(guard, kind, async (loop) => {
      const sock = new Socket(AF_INET, SOCK_STREAM);
      sock.bind(['127.0.0.1', 0]);
      const [, port] = sock.getsockname() as [string, number];
      const server = await createServer(loop, () => new Echo(), undefined, undefined, { sock });
      expect(server.sockets[0]!.getsockname()).toEqual(['127.0.0.1', port]);
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      transport.write('via sock');
      await client.waitForBytes(8);
      transport.close();
      await client.lost;
      server.close();
      await server.waitClosed();
    });
  });

  it('listens on a Unix socket path', async () => {
    const path = join(tmpdir(), `asyncio-ts-${process.pid}-${kind.name}.sock`);
    rmSync(path, { force: true });
    try {
      await onLoop(guard, kind, async (loop) => {
        const server = await createServer(loop, () => new Echo(), undefined, undefined, { path });
        expect(server.sockets[0]!.getsockname()).toBe(path);
        const [transport, client] = await createConnection(loop, () => new Recorder(), undefined, undefined, { path });
        transport.write('unix');
        await client.waitForBytes(4);
        expect(client.received.toString()).toBe('unix');
        transport.close();
        await client.lost;
        server.close();
        await server.waitClosed();
      });
    } finally {
      rmSync(path, { force: true });
    }
  });
});

describe('createServer() arguments', () => {
  const eventLoop = loopKinds[0]!;

  it('rejects bad input with errors that name the argument and the fix', async () => {
    await onLoop(guard, eventLoop, async (loop) => {
      const factory = () => new Echo();
      expect(String(await errorOf(createServer(loop, factory)))).toMatch(/neither host\/port nor sock were specified; pass a port/);
      expect(String(await errorOf(createServer(loop, factory, '127.0.0.1')))).toMatch(/port is missing for host '127.0.0.1'/);
      expect(String(await errorOf(createServer(loop, factory, '127.0.0.1', 70000)))).toMatch(/port as an integer in 0..65535, got 70000/);
      expect(String(await errorOf(createServer(loop, 'nope' as never, '127.0.0.1', 0)))).toMatch(/protocolFactory as a function/);
      expect(String(await errorOf(createServer(loop, factory, '127.0.0.1', 0, { ssl: true as never })))).toMatch(/ssl must be TLS options/);
      expect(String(await errorOf(createServer(loop, factory, '127.0.0.1', 0, { sslHandshakeTimeout: 5 })))).toMatch(/only meaningful with ssl/);
      expect(String(await errorOf(createServer(loop, factory, '127.0.0.1', 0, { backlog: -1 })))).toMatch(/backlog as a non-negative integer/);
    });
  });

  it('refuses ssl on a SelectorEventLoop, pointing at the EventLoop', async () => {
    await onLoop(guard, loopKinds[1]!, async (loop) => {
      const serving = createServer(loop, () => new Echo(), '127.0.0.1', 0, { ssl: { key: 'k', cert: 'c' } });
      expect(String(await errorOf(serving))).toMatch(/ssl needs the EventLoop.*Use new EventLoop\(\)/);
    });
  });
});
