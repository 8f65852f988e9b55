// createConnection() (asyncio's loop.create_connection): on both loops, the
// connection, its errors (refused, bad input, a failing protocolFactory),
// cancellation while connecting, both coroutine shapes, a socket passed in;
// and TLS's handshake timeout on the EventLoop.
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { CancelledError, ValueError, createConnection, sleep, type Transport } from '@asyncio-ts/core';
import { AF_INET, ConnectionAbortedError, ConnectionRefusedError, OSError, SOCK_STREAM, Socket } from '@asyncio-ts/selectors';
import { shapes, useLoopGuard } from './fixtures/loop-guard.js';
import { Echo, Recorder, errorOf, loopKinds } from './fixtures/protocols.js';
import { onLoop, serve } from './fixtures/transport-suite.js';

const guard = useLoopGuard();

/** A port with nothing listening on it: bound by a socket that is closed at once. */
function freePort(): number {
  const socket = new Socket(AF_INET, SOCK_STREAM);
  socket.bind(['127.0.0.1', 0]);
  const [, port] = socket.getsockname() as [string, number];
  socket.close();
  return port;
}

describe.each(loopKinds)('createConnection() on $name', (kind) => {
  it.each(shapes)('gives [transport, protocol] once connected (%s)', async (shape) => {
    await onLoop(guard, kind, async (loop) => {
      const { port, stop } = await serve(loop, () => new Echo());
      let pair: [Transport, Recorder];
      if (shape === 'async function') {
        pair = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      } else {
        pair = await loop.createTask(
          (function* () {
            const [transport, protocol] = yield* createConnection(loop, () => new Recorder(), '127.0.0.1', port);
            return [transport, protocol] as [Transport, Recorder];
          })(),
        );
      }
      const [transport, protocol] = pair;
      expect(protocol.transport).toBe(transport);
      transport.write('ok');
      await protocol.waitForBytes(2);
      transport.close();
      await protocol.lost;
      await stop();
    });
  });

  it('accepts the port as a numeric string and binds the local end to localAddr', async () => {
    await onLoop(guard, kind, async (loop) => {
      const { port, stop } = await serve(loop, () => new Echo());
      const [transport, protocol] = await createConnection(loop, () => new Recorder(), '127.0.0.1', String(port), {
        localAddr: ['127.0.0.1', 0],
      });
      expect(transport.getExtraInfo<[string, number]>('sockname')![0]).toBe('127.0.0.1');
      transport.close();
      await protocol.lost;
      await stop();
    });
  });

  it('fails with ConnectionRefusedError when nothing listens', async () => {
    const port = freePort();
    const error = await onLoop(guard, kind, (loop) => errorOf(createConnection(loop, () => new Recorder(), '127.0.0.1', port)));
    expect(ConnectionRefusedError.isInstance(error)).toBe(true);
    expect(OSError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect(String(error)).toMatch(new RegExp(`Connect call failed .*127.0.0.1.*${port}`));
  });

  it('fails with the error of a protocolFactory() that throws, and closes the connection', async () => {
    const failure = new Error('factory failed');
    await onLoop(guard, kind, async (loop) => {
      let server!: Recorder;
      const { port, stop } = await serve(loop, () => (server = new Recorder()));
      const error = await errorOf(
        createConnection(
          loop,
          () => {
            throw failure;
          },
          '127.0.0.1',
          port,
        ),
      );
      expect(error).toBe(failure);
      await server.lost;
      await stop();
    });
  });

  it('closes the connection under way when cancelled', async () => {
    await onLoop(guard, kind, async (loop) => {
      const { server, port, stop } = await serve(loop, () => new Recorder());
      const connecting = createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      connecting.cancel();
      expect(await errorOf(connecting)).toBeInstanceOf(CancelledError);
      await sleep(0.05);
      expect(String(server)).toMatch(/connections=0/);
      await stop();
    });
  });

  it('uses a connected socket passed as options.sock', async () => {
    await onLoop(guard, kind, async (loop) => {
      const { port, stop } = await serve(loop, () => new Echo());
      const sock = new Socket(AF_INET, SOCK_STREAM);
      sock.connect(['127.0.0.1', port]);
      const [transport, protocol] = await createConnection(loop, () => new Recorder(), undefined, undefined, { sock });
      expect(transport.getExtraInfo('peername')).toEqual(['127.0.0.1', port]);
      transport.write('adopted');
      await protocol.waitForBytes(7);
      transport.close();
      await protocol.lost;
      await stop();
    });
  });

  it('rejects bad input with errors that name the argument and the fix', async () => {
    await onLoop(guard, kind, async (loop) => {
      const factory = () => new Recorder();
      const cases: [Promise<unknown>, RegExp][] = [
        [errorOf(createConnection(loop, factory)), /host and port was not specified and no sock specified; pass host and port/],
        [errorOf(createConnection(loop, factory, '127.0.0.1')), /port is missing for host '127.0.0.1'/],
        [errorOf(createConnection(loop, factory, undefined, 80)), /host is missing \(port 80\)/],
        [errorOf(createConnection(loop, factory, '127.0.0.1', 0)), /port as an integer in 1..65535, got 0/],
        [errorOf(createConnection(loop, factory, '127.0.0.1', 80, { serverHostname: 'x' })), /serverHostname is only meaningful with ssl/],
        [errorOf(createConnection(loop, factory, '127.0.0.1', 80, { sslHandshakeTimeout: 1 })), /sslHandshakeTimeout is only meaningful with ssl/],
        [errorOf(createConnection(loop, factory, undefined, undefined, { sock: new net.Socket(), path: '/x' })), /path and host\/port or sock/],
        [errorOf(createConnection(loop, factory, '127.0.0.1', 80, { sock: new net.Socket() })), /host\/port and sock can not be specified at the same time/],
        [errorOf(createConnection(loop, factory, undefined, undefined, { ssl: true, path: '/x' })), /serverHostname when using ssl without a host/],
        [errorOf(createConnection(loop, factory, '127.0.0.1', 80, { family: 99 })), /family as AF_INET, AF_INET6 or 0, got 99/],
        [errorOf(createConnection(loop, 'factory' as never, '127.0.0.1', 80)), /protocolFactory as a function returning a protocol/],
      ];
      for (const [failing, message] of cases) expect(String(await failing)).toMatch(message);
      expect(await errorOf(createConnection(loop, factory))).toBeInstanceOf(ValueError);
    });
  });
});

describe('createConnection() with ssl', () => {
  const [eventLoop, selectorLoop] = loopKinds as [(typeof loopKinds)[0], (typeof loopKinds)[0]];

  it('aborts a TLS handshake that takes longer than sslHandshakeTimeout', async () => {
    await onLoop(guard, eventLoop, async (loop) => {
      // A plain TCP server: it never answers the client's hello.
      const { port, stop } = await serve(loop, () => new Recorder());
      const started = loop.time();
      const error = await errorOf(createConnection(loop, () => new Recorder(), 'localhost', port, { ssl: true, sslHandshakeTimeout: 0.1 }));
      expect(loop.time() - started).toBeGreaterThanOrEqual(0.09);
      expect(ConnectionAbortedError.isInstance(error)).toBe(true);
      expect(String(error)).toMatch(/SSL handshake is taking longer than 0.1 seconds: aborting the connection/);
      await stop();
    });
  });

  it('refuses ssl on a SelectorEventLoop, pointing at the EventLoop', async () => {
    await onLoop(guard, selectorLoop, async (loop) => {
      const error = await errorOf(createConnection(loop, () => new Recorder(), 'localhost', 443, { ssl: true }));
      expect(error).toBeInstanceOf(ValueError);
      expect(String(error)).toMatch(/ssl needs the EventLoop \(TLS comes from Node's tls\).*Use new EventLoop\(\)/);
    });
  });
});

describe('createConnection() by host name', () => {
  it.each(loopKinds)('resolves localhost on $name', async (kind) => {
    await onLoop(guard, kind, async (loop) => {
      const { port, stop } = await serve(loop, () => new Echo());
      const [transport, protocol] = await createConnection(loop, () => new Recorder(), 'localhost', port);
      transport.close();
      await protocol.lost;
      await stop();
    });
  });
});

