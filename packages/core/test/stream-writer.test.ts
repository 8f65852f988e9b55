// StreamWriter and StreamReaderProtocol over a fake transport, in both
// coroutine shapes: what the writer passes to its transport, drain()'s flow
// control (asyncio's FlowControlMixin), waitClosed(), `await using`, and the
// protocol's side: feeding the reader and calling a server's client callback.
// Ported in part from CPython's Lib/test/test_asyncio/test_streams.py
// (test_multiple_drain, test_drain_raises, test_wait_closed_on_close,
// test_async_writer_api_exception_after_close, test_unhandled_exception,
// test_unhandled_cancel).
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  StreamReader,
  StreamReaderProtocol,
  StreamWriter,
  currentTask,
  gather,
  getRunningLoop,
  sleep,
  createTask,
  type BaseEventLoop,
  type Coroutine,
  type ExceptionContext,
  type Future,
} from '@asyncio-ts/core';
import { ConnectionResetError } from '@asyncio-ts/selectors';
import { awaitingShapes as shapes, inTask } from './fixtures/awaiting.js';
import { FakeTransport } from './fixtures/fake-transport.js';
import { runVirtual } from './fixtures/virtual.js';

/** A client's reader, protocol, connected fake transport and writer. */
function connect(loop: BaseEventLoop = getRunningLoop(), extra: Record<string, unknown> = {}) {
  const reader = new StreamReader();
  const protocol = new StreamReaderProtocol(reader);
  const transport = new FakeTransport(loop, protocol, extra).connect();
  const writer = new StreamWriter(transport, protocol, reader, loop);
  return { reader, protocol, transport, writer };
}

/** Runs `main` on virtual time, recording the exception handler's calls (runVirtual fails on any). */
async function runRecording(main: (reported: ExceptionContext[]) => Promise<void>): Promise<void> {
  await runVirtual(async () => {
    const loop = getRunningLoop();
    const reported: ExceptionContext[] = [];
    const previous = loop.getExceptionHandler();
    loop.setExceptionHandler((_loop, context) => reported.push(context));
    try {
      await main(reported);
    } finally {
      loop.setExceptionHandler(previous);
    }
  });
}

describe('StreamWriter', () => {
  it('passes writes, EOF, close and extra info to its transport', () =>
    runVirtual(async () => {
      const { transport, writer } = connect(getRunningLoop(), { sockname: ['127.0.0.1', 80] });
      expect(writer.transport).toBe(transport);
      writer.write('hello ');
      writer.write(Buffer.from('world'));
      writer.writelines(['\n', new Uint8Array([33])]);
      expect(transport.text()).toBe('hello world\n!');
      expect(writer.canWriteEof()).toBe(true);
      writer.writeEof();
      expect(transport.eofWritten).toBe(true);
      expect(writer.getExtraInfo('peername')).toEqual(['127.0.0.1', 12345]);
      expect(writer.getExtraInfo('sockname')).toEqual(['127.0.0.1', 80]);
      expect(writer.getExtraInfo('cipher', 'none')).toBe('none');
      expect(writer.isClosing()).toBe(false);
      writer.close();
      expect(writer.isClosing()).toBe(true);
      await writer.waitClosed();
    }));

  it('prints its transport and reader', () =>
    runVirtual(async () => {
      const { writer } = connect();
      expect(inspect(writer)).toBe('<StreamWriter transport=FakeTransport reader=<StreamReader transport=FakeTransport>>');
      writer.close();
      await writer.waitClosed();
    }));

  describe.each(shapes)('drain() in an $name', (shape) => {
    it('is done at once while writing is not paused', () =>
      runVirtual(async () => {
        const { writer } = connect();
        const drained = writer.drain();
        expect(drained.done()).toBe(true);
        await inTask(shape, () => writer.drain());
        writer.close();
        await writer.waitClosed();
      }));

    it('waits while writing is paused, until resumeWriting()', () =>
      runVirtual(async () => {
        const { protocol, writer } = connect();
        const loop = getRunningLoop();
        protocol.pauseWriting();
        const start = loop.time();
        loop.callLater(0.5, () => protocol.resumeWriting());
        await inTask(shape, () => writer.drain());
        expect(loop.time() - start).toBeGreaterThanOrEqual(0.5);
        writer.close();
        await writer.waitClosed();
      }));

    it('wakes every waiting drain() on resume', () =>
      runVirtual(async () => {
        const { protocol, writer } = connect();
        protocol.pauseWriting();
        getRunningLoop().callLater(0.1, () => protocol.resumeWriting());
        let drained = 0;
        await gather(
          ...Array.from({ length: 10 }, () =>
            inTask(shape, () => writer.drain()).then(() => {
              drained++;
            }),
          ),
        );
        expect(drained).toBe(10);
        writer.close();
        await writer.waitClosed();
      }));

    it('fails a waiting drain() with the error the connection was lost to', () =>
      runVirtual(async () => {
        const { protocol, transport, writer } = connect();
        protocol.pauseWriting();
        const task = inTask(shape, () => writer.drain());
        await sleep(0);
        const error = new ConnectionResetError(104);
        transport.lose(error);
        await expect(task).rejects.toBe(error);
        // From then on, it fails with the reader's exception.
        await expect(inTask(shape, () => writer.drain())).rejects.toBe(error);
      }));

    it('ends a waiting drain() when the connection closes cleanly, then fails with ConnectionResetError', () =>
      runVirtual(async () => {
        const { protocol, transport, writer } = connect();
        protocol.pauseWriting();
        const task = inTask(shape, () => writer.drain());
        await sleep(0);
        transport.lose();
        await task;
        const error = await inTask(shape, () => writer.drain()).then(
          () => null,
          (reason: unknown) => reason,
        );
        expect(error).toBeInstanceOf(ConnectionResetError);
        expect(String(error)).toMatch(/Connection lost/);
      }));

    it('lets the connection close before it answers, once closing (write; drain in a loop sees the error)', () =>
      runVirtual(async () => {
        // asyncio's bpo-25441: a writer that writes and drains in a loop
        // must see the connection fail, not spin forever.
        const { writer } = connect();
        let rounds = 0;
        const task = createTask(
          shape.awaiting(() => {
            const future = getRunningLoop().createFuture<void>();
            const again = (): void => {
              // The peer goes away after a few rounds.
              if (++rounds === 5) writer.close();
              if (!writer.isClosing()) writer.write('foo\n');
              writer.drain().addDoneCallback((done) => {
                if (done.exception() !== null) future.setException(done.exception());
                else again();
              });
            };
            again();
            return future;
          }),
        );
        await expect(task).rejects.toBeInstanceOf(ConnectionResetError);
      }));

    it('withdraws a cancelled drain() only', () =>
      runVirtual(async () => {
        const { protocol, writer } = connect();
        protocol.pauseWriting();
        const cancelled = inTask(shape, () => writer.drain());
        const kept = inTask(shape, () => writer.drain());
        await sleep(0);
        cancelled.cancel();
        await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
        protocol.resumeWriting();
        await kept;
        writer.close();
        await writer.waitClosed();
      }));
  });

  describe.each(shapes)('waitClosed() in an $name', (shape) => {
    it('completes once the connection is closed, and the reader is at EOF', () =>
      runVirtual(async () => {
        const { reader, writer } = connect();
        writer.close();
        await inTask(shape, () => writer.waitClosed());
        expect(reader.atEof()).toBe(true);
        expect((await reader.read()).length).toBe(0);
        // Again, once closed.
        await inTask(shape, () => writer.waitClosed());
      }));

    it('fails with the error the connection was lost to', () =>
      runVirtual(async () => {
        const { reader, transport, writer } = connect();
        const error = new ConnectionResetError(104);
        const task = inTask(shape, () => writer.waitClosed());
        await sleep(0);
        transport.lose(error);
        await expect(task).rejects.toBe(error);
        expect(reader.exception()).toBe(error);
        await expect(reader.read(1)).rejects.toBe(error);
      }));

    it('gives each caller its own Future: cancelling one leaves the others waiting', () =>
      runVirtual(async () => {
        const { writer } = connect();
        const first = inTask(shape, () => writer.waitClosed());
        const second = inTask(shape, () => writer.waitClosed());
        await sleep(0);
        first.cancel();
        await expect(first).rejects.toBeInstanceOf(CancelledError);
        writer.close();
        await second;
      }));
  });

  it('closes and waits until closed with await using', () =>
    runVirtual(async () => {
      const { transport, writer } = connect();
      {
        await using scoped = writer;
        scoped.write('bye');
      }
      expect(transport.closed).toBe(true);
      expect(transport.text()).toBe('bye');
    }));

  it('does not throw the connection error again from await using', () =>
    runVirtual(async () => {
      const { reader, transport, writer } = connect();
      {
        await using scoped = writer;
        transport.lose(new ConnectionResetError(104));
        void scoped;
      }
      expect(reader.exception()).toBeInstanceOf(ConnectionResetError);
    }));
});

describe('StreamReaderProtocol', () => {
  it('feeds its reader data and EOF, and keeps the transport open for writing on EOF', () =>
    runVirtual(async () => {
      const { reader, transport, writer } = connect();
      transport.deliver('hello\n');
      expect(transport.deliverEof()).toBe(true);
      expect((await reader.readline()).toString()).toBe('hello\n');
      expect(reader.atEof()).toBe(true);
      writer.write('still open');
      expect(transport.text()).toBe('still open');
      writer.close();
      await writer.waitClosed();
    }));

  it('lets a TLS transport close on EOF (TLS cannot half-close)', () =>
    runVirtual(async () => {
      const { transport, writer } = connect(getRunningLoop(), { sslcontext: {} });
      expect(transport.deliverEof()).toBe(false);
      writer.close();
      await writer.waitClosed();
    }));

  it('gives its reader the transport, so that a full buffer pauses reading', () =>
    runVirtual(async () => {
      const reader = new StreamReader(4);
      const protocol = new StreamReaderProtocol(reader);
      const transport = new FakeTransport(getRunningLoop(), protocol).connect();
      transport.deliver('0123456789');
      expect(transport.isReading()).toBe(false);
      await reader.read(8);
      expect(transport.isReading()).toBe(true);
      transport.close();
      await sleep(0);
    }));

  it('refuses a client callback that is not a function', () => {
    expect(() => new StreamReaderProtocol(new StreamReader(), 42 as never, { loop: {} as never })).toThrow(TypeError);
  });

  describe('client callback', () => {
    /** A server-side connection: the protocol calls `callback` with a new reader and writer. */
    function accept(callback: ConstructorParameters<typeof StreamReaderProtocol>[1]) {
      const reader = new StreamReader();
      const protocol = new StreamReaderProtocol(reader, callback);
      const transport = new FakeTransport(getRunningLoop(), protocol);
      transport.connect();
      return { reader, protocol, transport };
    }

    it('calls a plain function at once with the reader and a writer', () =>
      runVirtual(async () => {
        const seen: unknown[] = [];
        const { reader, protocol, transport } = accept((clientReader, clientWriter) => {
          seen.push(clientReader, clientWriter.transport);
        });
        expect(seen).toEqual([reader, transport]);
        expect(protocol.clientTask).toBeNull();
        transport.close();
        await sleep(0);
      }));

    it('runs an async function as a task, from its first line', () =>
      runVirtual(async () => {
        let inside: unknown = null;
        let echoed = '';
        const { protocol, transport } = accept(async (reader, writer) => {
          inside = currentTask();
          const line = await reader.readline();
          writer.write(line);
          echoed = line.toString();
          writer.close();
        });
        const task = protocol.clientTask!;
        expect(inside).toBeNull();
        transport.deliver('ping\n');
        await task;
        expect(inside).toBe(task);
        expect(echoed).toBe('ping\n');
        expect(transport.text()).toBe('ping\n');
      }));

    it('runs a generator function as a task', () =>
      runVirtual(async () => {
        const { protocol, transport } = accept(function* (reader, writer) {
          const line = yield* reader.readline();
          writer.write(line);
          writer.close();
        });
        transport.deliver('pong\n');
        await protocol.clientTask!;
        expect(transport.text()).toBe('pong\n');
        expect(transport.closed).toBe(true);
      }));

    it('runs the coroutine a plain function returns as a task', () =>
      runVirtual(async () => {
        function* handle(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
          writer.write(yield* reader.readexactly(2));
        }
        const { protocol, transport } = accept((reader, writer) => handle(reader, writer));
        transport.deliver('ok');
        await protocol.clientTask!;
        expect(transport.text()).toBe('ok');
        transport.close();
        await sleep(0);
      }));

    it("reports the task's error to the loop's exception handler and closes the transport", () =>
      runRecording(async (reported) => {
        const error = new Error('test');
        const { protocol, transport } = accept(async () => {
          throw error;
        });
        await protocol.clientTask!.then(
          () => undefined,
          () => undefined,
        );
        await sleep(0);
        expect(reported.map((context) => context.message)).toEqual(['Unhandled exception in clientConnected callback']);
        expect(reported[0]!.exception).toBe(error);
        expect(reported[0]!.transport).toBe(transport);
        expect(transport.closed).toBe(true);
      }));

    it('closes the transport quietly when the task is cancelled', () =>
      runRecording(async (reported) => {
        const { protocol, transport } = accept(async () => {
          currentTask()!.cancel();
          await sleep(1);
        });
        await expect(protocol.clientTask!).rejects.toBeInstanceOf(CancelledError);
        await sleep(0);
        expect(reported).toEqual([]);
        expect(transport.closed).toBe(true);
      }));
  });
});
