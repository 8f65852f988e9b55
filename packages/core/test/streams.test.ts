// openConnection() and startServer() over real loopback sockets, on both
// loops (EventLoop on Node's net, SelectorEventLoop on its own sockets) and
// in both coroutine shapes: echo, limits, a peer that vanishes, drain() under
// a slow reader, half-close, `await using`. Ported in part from CPython's
// Lib/test/test_asyncio/test_streams.py (test_open_connection*,
// test_start_server, test_drain_raises, test_unhandled_exception,
// test_eof_feed_when_closing_writer).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CancelledError,
  EventLoop,
  IncompleteReadError,
  LimitOverrunError,
  Runner,
  SelectorEventLoop,
  StreamReader,
  StreamWriter,
  createTask,
  currentTask,
  getRunningLoop,
  openConnection,
  openUnixConnection,
  sleep,
  startServer,
  startUnixServer,
  type Coroutine,
  type CoroutineLike,
  type ExceptionContext,
  type Future,
} from '@asyncio-ts/core';
import { ConnectionRefusedError, ConnectionResetError, BrokenPipeError } from '@asyncio-ts/selectors';
import { failure } from './fixtures/awaiting.js';
import { useLoopGuard, shapes, type Shape, runInRunner } from './fixtures/loop-guard.js';
import { loopKinds as loops, portOf } from './fixtures/protocols.js';

const HOST = '127.0.0.1';

/** The echo handler of a server, in the given shape: lines back until EOF, then close. */
function echoHandler(shape: Shape) {
  if (shape === 'async function') {
    return async (reader: StreamReader, writer: StreamWriter) => {
      for await (const line of reader) {
        writer.write(line);
        await writer.drain();
      }
      writer.close();
      await writer.waitClosed();
    };
  }
  return function* (reader: StreamReader, writer: StreamWriter): Coroutine<void> {
    for (;;) {
      const line = yield* reader.readline();
      if (line.length === 0) break;
      writer.write(line);
      yield* writer.drain();
    }
    writer.close();
    yield* writer.waitClosed();
  };
}

/** A client, in the given shape: sends each message as a line, reads each echo, closes. */
function echoClient(shape: Shape, port: number, messages: string[]): () => Coroutine<string[]> | Promise<string[]> {
  if (shape === 'async function') {
    return async () => {
      const [reader, writer] = await openConnection(HOST, port);
      const echoed: string[] = [];
      for (const message of messages) {
        writer.write(`${message}\n`);
        await writer.drain();
        echoed.push((await reader.readline()).toString());
      }
      writer.close();
      await writer.waitClosed();
      return echoed;
    };
  }
  return function* () {
    const [reader, writer] = yield* openConnection(HOST, port);
    const echoed: string[] = [];
    for (const message of messages) {
      writer.write(`${message}\n`);
      yield* writer.drain();
      echoed.push((yield* reader.readline()).toString());
    }
    writer.close();
    yield* writer.waitClosed();
    return echoed;
  };
}

describe.each(loops)('streams on the $name', ({ make }) => {
  const guard = useLoopGuard();

  /** Runs `main` on a new loop of this kind, guarded (no stray exception-handler calls, nothing left running). */
  const runOn = <T>(main: CoroutineLike<T>): Promise<T> => runInRunner(guard, make, main);

  describe.each(shapes)('a server in an %s', (serverShape) => {
    it.each(shapes)('echoes lines to a client in an %s', (clientShape) =>
      runOn(async () => {
        const server = await startServer(echoHandler(serverShape), HOST, 0);
        const messages = ['hello', 'world', 'x'.repeat(10_000)];
        const echoed = await createTask(echoClient(clientShape, portOf(server), messages));
        expect(echoed).toEqual(messages.map((message) => `${message}\n`));
        server.close();
        await server.waitClosed();
      }),
    );
  });

  it('serves several clients at once, each in its own task', () =>
    runOn(async () => {
      const tasks = new Set<unknown>();
      const server = await startServer(
        async (reader, writer) => {
          tasks.add(currentTask());
          writer.write(await reader.readline());
          writer.close();
        },
        HOST,
        0,
      );
      const port = portOf(server);
      const clients = Array.from({ length: 5 }, (_, index) =>
        createTask(async () => {
          const [reader, writer] = await openConnection(HOST, port);
          writer.write(`client ${index}\n`);
          const reply = (await reader.read()).toString();
          writer.close();
          await writer.waitClosed();
          return reply;
        }),
      );
      for (const [index, client] of clients.entries()) expect(await client).toBe(`client ${index}\n`);
      expect(tasks.size).toBe(5);
      server.close();
      await server.waitClosed();
    }));

  it('fails openConnection() with ConnectionRefusedError when nobody listens', () =>
    runOn(async () => {
      const server = await startServer(() => {}, HOST, 0);
      const port = portOf(server);
      server.close();
      await server.waitClosed();
      expect(await failure(openConnection(HOST, port))).toBeInstanceOf(ConnectionRefusedError);
    }));

  it('refuses a clientConnected that is not a function', () =>
    runOn(async () => {
      expect(() => startServer('handler' as never, HOST, 0)).toThrow(/clientConnected as a function/);
    }));

  it('gives the peer and local addresses as [host, port]', () =>
    runOn(async () => {
      let serverSide: unknown = null;
      const server = await startServer(
        (reader, writer) => {
          serverSide = writer.getExtraInfo('sockname');
          writer.close();
        },
        HOST,
        0,
      );
      const [reader, writer] = await openConnection(HOST, portOf(server));
      expect(writer.getExtraInfo('peername')).toEqual([HOST, portOf(server)]);
      expect(await reader.read()).toHaveLength(0);
      expect(serverSide).toEqual([HOST, portOf(server)]);
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    }));

  it('applies the limit to readuntil() over a socket, keeping the data', () =>
    runOn(async () => {
      const server = await startServer(
        async (reader, writer) => {
          writer.write('0123456789abcdef|tail|');
          await writer.drain();
          await reader.read();
          writer.close();
        },
        HOST,
        0,
      );
      const [reader, writer] = await openConnection(HOST, portOf(server), { limit: 8 });
      expect(reader.limit).toBe(8);
      // Until the separator is in, the overrun is 'not found'; then 'is found'.
      let error: unknown;
      for (;;) {
        error = await failure(reader.readuntil('|'));
        if (!(error instanceof LimitOverrunError) || error.message.includes('is found')) break;
        await sleep(0.01);
      }
      expect(error).toBeInstanceOf(LimitOverrunError);
      expect((error as LimitOverrunError).consumed).toBe(16);
      expect((await reader.readexactly(17)).toString()).toBe('0123456789abcdef|');
      expect((await reader.readuntil('|')).toString()).toBe('tail|');
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    }));

  it('fails readexactly() with IncompleteReadError holding what came when the peer vanishes', () =>
    runOn(async () => {
      const server = await startServer(
        async (reader, writer) => {
          writer.write('12345');
          writer.close();
        },
        HOST,
        0,
      );
      const [reader, writer] = await openConnection(HOST, portOf(server));
      const error = (await failure(reader.readexactly(10))) as IncompleteReadError;
      expect(error).toBeInstanceOf(IncompleteReadError);
      expect(Buffer.from(error.partial).toString()).toBe('12345');
      expect(error.expected).toBe(10);
      expect(reader.atEof()).toBe(true);
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    }));

  it('makes drain() wait while the reader lags, then resume, and loses no byte', () =>
    runOn(async () => {
      // The server does not read until the client has seen drain() wait
      // (the kernel's buffers and then the transport's filled up); then it
      // reads everything, a little at a time.
      const loop = getRunningLoop();
      const go = loop.createFuture<void>();
      let received = 0;
      let checksum = 0;
      const server = await startServer(
        async (reader, writer) => {
          await go;
          for (;;) {
            const data = await reader.read(64 * 1024);
            if (data.length === 0) break;
            received += data.length;
            for (const byte of data) checksum = (checksum + byte) % 65521;
            await sleep(0);
          }
          writer.close();
        },
        HOST,
        0,
      );
      const [reader, writer] = await openConnection(HOST, portOf(server));
      let expectedChecksum = 0;
      let sent = 0;
      let waited = false;
      for (let round = 0; !waited && round < 2048; round++) {
        const chunk = Buffer.alloc(64 * 1024, round % 251);
        expectedChecksum = (expectedChecksum + (round % 251) * chunk.length) % 65521;
        writer.write(chunk);
        sent += chunk.length;
        const drained = writer.drain();
        if (!drained.done()) {
          waited = true;
          expect(writer.transport.getWriteBufferSize()).toBeGreaterThan(0);
          go.setResult(undefined);
        }
        await drained;
      }
      expect(waited).toBe(true);
      writer.writeEof();
      expect((await reader.read()).length).toBe(0);
      expect(received).toBe(sent);
      expect(checksum).toBe(expectedChecksum);
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    }), 30_000);

  it('fails drain() once the peer has gone, instead of writing forever (bpo-25441)', () =>
    runOn(async () => {
      const server = await startServer(
        (reader, writer) => {
          writer.transport.abort();
        },
        HOST,
        0,
      );
      const [, writer] = await openConnection(HOST, portOf(server));
      const error = await failure(
        (async () => {
          for (;;) {
            if (!writer.isClosing()) writer.write('foo\n');
            await writer.drain();
          }
        })(),
      );
      expect([ConnectionResetError, BrokenPipeError].some((Class) => error instanceof Class)).toBe(true);
      writer.close();
      server.close();
      await server.waitClosed();
    }));

  it('half-closes: the server reads to EOF, then answers on the same connection', () =>
    runOn(async () => {
      const server = await startServer(
        function* (reader, writer) {
          const request = yield* reader.read();
          writer.write(`got ${request.length} bytes`);
          writer.close();
        },
        HOST,
        0,
      );
      const [reader, writer] = await openConnection(HOST, portOf(server));
      expect(writer.canWriteEof()).toBe(true);
      writer.write('x'.repeat(1000));
      writer.writeEof();
      expect((await reader.read()).toString()).toBe('got 1000 bytes');
      expect(reader.atEof()).toBe(true);
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    }));

  it('closes writer and server with await using', () =>
    runOn(async () => {
      let serverClosed: Future<void> | null = null;
      {
        await using server = await startServer(echoHandler('async function'), HOST, 0);
        const [reader, writer] = await openConnection(HOST, portOf(server));
        {
          await using scoped = writer;
          scoped.write('ping\n');
          expect((await reader.readline()).toString()).toBe('ping\n');
        }
        expect(writer.isClosing()).toBe(true);
        expect(reader.atEof()).toBe(true);
        serverClosed = server.waitClosed();
      }
      expect(serverClosed!.done()).toBe(true);
    }));

  it("reports an error of the client callback to the loop's exception handler and closes that connection", () =>
    runOn(async () => {
      const loop = getRunningLoop();
      const reported: ExceptionContext[] = [];
      loop.setExceptionHandler((_loop, context) => reported.push(context));
      const server = await startServer(
        async () => {
          throw new Error('test');
        },
        HOST,
        0,
      );
      const [reader, writer] = await openConnection(HOST, portOf(server));
      expect((await reader.read()).length).toBe(0);
      expect(reported.map((context) => context.message)).toEqual(['Unhandled exception in clientConnected callback']);
      expect((reported[0]!.exception as Error).message).toBe('test');
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    }));

  it('keeps the bytes of a read cancelled over a socket for the next read', () =>
    runOn(async () => {
      const server = await startServer(
        async (reader, writer) => {
          writer.write('part');
          await sleep(0.05);
          writer.write('ial!');
          await reader.read();
          writer.close();
        },
        HOST,
        0,
      );
      const [reader, writer] = await openConnection(HOST, portOf(server));
      const read = createTask(async () => reader.readexactly(8));
      await sleep(0.01);
      read.cancel();
      expect(await failure(read)).toBeInstanceOf(CancelledError);
      expect((await reader.readexactly(8)).toString()).toBe('partial!');
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    }));

  it('sees EOF on its reader once its writer is closed (bpo-35065)', () =>
    runOn(async () => {
      const server = await startServer(echoHandler('async function'), HOST, 0);
      const [reader, writer] = await openConnection(HOST, portOf(server));
      writer.close();
      await writer.waitClosed();
      expect(reader.atEof()).toBe(true);
      expect((await reader.read()).length).toBe(0);
      server.close();
      await server.waitClosed();
    }));
});

describe('streams on Unix sockets', () => {
  const guard = useLoopGuard();
  const directory = mkdtempSync(join(tmpdir(), 'asyncio-ts-streams-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('echoes with openUnixConnection() and startUnixServer()', async () => {
    const runner = new Runner({ loopFactory: () => guard.track(new EventLoop()) });
    const path = join(directory, 'echo.sock');
    await runner.run(async () => {
      const server = await startUnixServer(echoHandler('function* generator'), path);
      const [reader, writer] = await openUnixConnection(path);
      writer.write('over a path\n');
      expect((await reader.readline()).toString()).toBe('over a path\n');
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    });
    await runner.close();
  });
});
