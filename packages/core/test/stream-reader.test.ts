// StreamReader: asyncio's streams.StreamReader, fed by hand, in both
// coroutine shapes, on virtual time. Ported from CPython's
// Lib/test/test_asyncio/test_streams.py (StreamTests: test_read*,
// test_readline*, test_readuntil*, test_readexactly*, test_exception*,
// test_at_eof, test___repr__*), plus cancellation and flow control.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  DEFAULT_LIMIT,
  IncompleteReadError,
  LimitOverrunError,
  RuntimeError,
  StreamReader,
  ValueError,
  createTask,
  getRunningLoop,
  sleep,
  timeout,
  TimeoutError,
  waitFor,
  type Future,
} from '@asyncio-ts/core';
import { awaitingShapes as shapes, failure, inTask as readIn } from './fixtures/awaiting.js';
import { FakeTransport } from './fixtures/fake-transport.js';
import { runVirtual } from './fixtures/virtual.js';

const DATA = Buffer.from('line1\nline2\nline3\n');

/** How many bytes the reader holds, as it prints them. */
function bufferedBytes(reader: StreamReader): number {
  return Number(/ (\d+) bytes/.exec(inspect(reader))?.[1] ?? 0);
}

/** Takes what the reader holds, without waiting: what is left in its buffer. */
function buffered(reader: StreamReader): string {
  if (bufferedBytes(reader) === 0) return '';
  return settled(reader.read(bufferedBytes(reader))).toString();
}

/** Fails the test when `future` is not done yet. */
function settled<T>(future: Future<T>): T {
  expect(future.done(), `${future} should be done`).toBe(true);
  return future.result();
}

describe('StreamReader', () => {
  describe('construction', () => {
    it('has a limit of 64 KiB by default', () => {
      expect(new StreamReader().limit).toBe(65536);
      expect(DEFAULT_LIMIT).toBe(65536);
      expect(new StreamReader(10).limit).toBe(10);
    });

    it('refuses a limit that is not a positive number, naming it', () => {
      expect(() => new StreamReader(0)).toThrow(ValueError);
      expect(() => new StreamReader(-1)).toThrow(/limit > 0/);
      expect(() => new StreamReader('big' as never)).toThrow(TypeError);
    });
  });

  describe('feedData', () => {
    it('ignores empty data and keeps the rest', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.alloc(0));
        expect(buffered(reader)).toBe('');
        reader.feedData(DATA);
        expect(buffered(reader)).toBe(DATA.toString());
      }));

    it('refuses data after EOF', () => {
      const reader = new StreamReader();
      reader.feedEof();
      expect(() => reader.feedData(Buffer.from('x'))).toThrow(RuntimeError);
    });

    it('takes plain Uint8Arrays', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(new Uint8Array([104, 105]));
        expect((await reader.read(2)).toString()).toBe('hi');
      }));

    it('never changes bytes a read returned', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('abc'));
        reader.feedData(Buffer.from('def'));
        const first = await reader.read(2);
        for (let i = 0; i < 100; i++) reader.feedData(Buffer.from('0123456789'));
        const second = await reader.read(5);
        expect(first.toString()).toBe('ab');
        expect(second.toString()).toBe('cdef0');
      }));
  });

  describe.each(shapes)('read() in an $name', (shape) => {
    it('returns an empty Buffer for read(0) and keeps the data', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(DATA);
        expect(settled(reader.read(0)).length).toBe(0);
        expect(buffered(reader)).toBe(DATA.toString());
      }));

    it('waits for data, then returns it', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const task = readIn(shape, () => reader.read(30));
        getRunningLoop().callSoon(() => reader.feedData(DATA));
        expect((await task).toString()).toBe(DATA.toString());
        expect(buffered(reader)).toBe('');
      }));

    it('returns at most n bytes of what is buffered', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('line1'));
        reader.feedData(Buffer.from('line2'));
        expect((await readIn(shape, () => reader.read(5))).toString()).toBe('line1');
        expect(buffered(reader)).toBe('line2');
      }));

    it('is not bound by the limit', () =>
      runVirtual(async () => {
        const reader = new StreamReader(3);
        reader.feedData(Buffer.from('chunk'));
        expect((await readIn(shape, () => reader.read(5))).toString()).toBe('chunk');
      }));

    it('returns an empty Buffer at EOF', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const task = readIn(shape, () => reader.read(1024));
        getRunningLoop().callSoon(() => reader.feedEof());
        expect((await task).length).toBe(0);
      }));

    it('reads until EOF with n < 0', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const task = readIn(shape, () => reader.read());
        const loop = getRunningLoop();
        loop.callSoon(() => reader.feedData(Buffer.from('chunk1\n')));
        loop.callSoon(() => reader.feedData(Buffer.from('chunk2')));
        loop.callSoon(() => reader.feedEof());
        expect((await task).toString()).toBe('chunk1\nchunk2');
        expect(reader.atEof()).toBe(true);
      }));

    it('reads past twice the limit until EOF without stalling the transport', () =>
      runVirtual(async () => {
        const reader = new StreamReader(4);
        const transport = new FakeTransport(getRunningLoop(), null as never);
        reader.setTransport(transport);
        const task = readIn(shape, () => reader.read(-1));
        await sleep(0);
        for (let i = 0; i < 10; i++) reader.feedData(Buffer.from('0123456789'));
        reader.feedEof();
        expect((await task).length).toBe(100);
        expect(transport.isReading()).toBe(true);
      }));

    it('fails with the exception set on the stream', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('line\n'));
        expect((await readIn(shape, () => reader.read(2))).toString()).toBe('li');
        const error = new ValueError('boom');
        reader.setException(error);
        expect(reader.exception()).toBe(error);
        await expect(readIn(shape, () => reader.read(2))).rejects.toBe(error);
      }));
  });

  describe.each(shapes)('readline() in an $name', (shape) => {
    it('waits for the end of the line across chunks', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('chunk1 '));
        const task = readIn(shape, () => reader.readline());
        const loop = getRunningLoop();
        loop.callSoon(() => reader.feedData(Buffer.from('chunk2 ')));
        loop.callSoon(() => reader.feedData(Buffer.from('chunk3 ')));
        loop.callSoon(() => reader.feedData(Buffer.from('\n chunk4')));
        expect((await task).toString()).toBe('chunk1 chunk2 chunk3 \n');
        expect(buffered(reader)).toBe(' chunk4');
      }));

    it('returns a buffered line without waiting', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(DATA.subarray(0, 6));
        reader.feedData(DATA.subarray(6));
        expect(settled(reader.readline()).toString()).toBe('line1\n');
        expect(bufferedBytes(reader)).toBe(12);
        expect((await readIn(shape, () => reader.read(7))).toString()).toBe('line2\nl');
      }));

    it('fails with ValueError past the limit and drops the long line, keeping the next', () =>
      runVirtual(async () => {
        const reader = new StreamReader(3);
        reader.feedData(Buffer.from('li'));
        reader.feedData(Buffer.from('ne1\nline2\n'));
        await expect(readIn(shape, () => reader.readline())).rejects.toThrow(ValueError);
        expect(buffered(reader)).toBe('line2\n');
      }));

    it('drops the whole buffer past the limit when no newline came', () =>
      runVirtual(async () => {
        const reader = new StreamReader(3);
        reader.feedData(Buffer.from('li'));
        reader.feedData(Buffer.from('ne1'));
        reader.feedData(Buffer.from('li'));
        await expect(readIn(shape, () => reader.readline())).rejects.toThrow(/Separator is not found/);
        expect(buffered(reader)).toBe('');
      }));

    it('fails a waiting readline when the line outgrows the limit', () =>
      runVirtual(async () => {
        const reader = new StreamReader(7);
        const task = readIn(shape, () => reader.readline());
        await sleep(0);
        reader.feedData(Buffer.from('chunk1chunk2\n'));
        reader.feedData(Buffer.from('chunk3\n'));
        reader.feedEof();
        await expect(task).rejects.toThrow(ValueError);
        expect(buffered(reader)).toBe('chunk3\n');
      }));

    it('takes a line of exactly the limit, not one byte more', () =>
      runVirtual(async () => {
        const reader = new StreamReader(7);
        reader.feedData(Buffer.from('1234567\n'));
        expect((await readIn(shape, () => reader.readline())).toString()).toBe('1234567\n');
        reader.feedData(Buffer.from('12345678\n'));
        await expect(readIn(shape, () => reader.readline())).rejects.toThrow(ValueError);
        expect(buffered(reader)).toBe('');
        reader.feedData(Buffer.from('12345678'));
        await expect(readIn(shape, () => reader.readline())).rejects.toThrow(ValueError);
        expect(buffered(reader)).toBe('');
      }));

    it('returns the incomplete last line at EOF, then an empty Buffer', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('some data'));
        reader.feedEof();
        expect((await readIn(shape, () => reader.readline())).toString()).toBe('some data');
        expect((await readIn(shape, () => reader.readline())).length).toBe(0);
      }));

    it('fails with the exception set on the stream', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('line\n'));
        expect((await readIn(shape, () => reader.readline())).toString()).toBe('line\n');
        reader.setException(new ValueError('boom'));
        await expect(readIn(shape, () => reader.readline())).rejects.toThrow('boom');
      }));

    it('fails when the exception is set while it waits', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const task = readIn(shape, () => reader.readline());
        await sleep(0);
        reader.setException(new ValueError('boom'));
        await expect(task).rejects.toThrow('boom');
      }));
  });

  it('is at EOF once fed EOF and emptied', () =>
    runVirtual(async () => {
      const reader = new StreamReader();
      expect(reader.atEof()).toBe(false);
      reader.feedData(Buffer.from('some data\n'));
      expect(reader.atEof()).toBe(false);
      await reader.readline();
      expect(reader.atEof()).toBe(false);
      reader.feedData(Buffer.from('some data\n'));
      reader.feedEof();
      await reader.readline();
      expect(reader.atEof()).toBe(true);
    }));

  describe.each(shapes)('readuntil() in an $name', (shape) => {
    it('refuses an empty separator or an empty list of them', () => {
      const reader = new StreamReader();
      expect(() => reader.readuntil('')).toThrow(/at least one byte/);
      expect(() => reader.readuntil([''])).toThrow(/at least one byte/);
      expect(() => reader.readuntil([])).toThrow(/at least one separator/);
      expect(() => reader.readuntil(42 as never)).toThrow(TypeError);
    });

    it('reads up to and including the separator', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('lineAAA'));
        expect((await readIn(shape, () => reader.readuntil('AAA'))).toString()).toBe('lineAAA');
        reader.feedData(Buffer.from('lineAAAxxx'));
        expect((await readIn(shape, () => reader.readuntil(Buffer.from('AAA')))).toString()).toBe('lineAAA');
        expect(buffered(reader)).toBe('xxx');
      }));

    it('finds a separator split across chunks', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const cases = [
          ['QWEaa', 'XYaa', 'a'],
          ['QWEaa', 'XYa', 'aa'],
          ['aaa'],
          ['Xaaa'],
          ['XXX', 'a', 'a', 'a'],
        ];
        for (const chunks of cases) {
          const task = readIn(shape, () => reader.readuntil('aaa'));
          await sleep(0);
          for (const chunk of chunks) {
            reader.feedData(Buffer.from(chunk));
            await sleep(0);
          }
          expect((await task).toString()).toBe(chunks.join(''));
          expect(buffered(reader)).toBe('');
        }
      }));

    it('takes a Uint8Array separator', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('some data\r\n'));
        expect((await readIn(shape, () => reader.readuntil(new Uint8Array([13, 10])))).toString()).toBe('some data\r\n');
      }));

    it('fails with IncompleteReadError at EOF, with the rest as partial', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('some dataAA'));
        reader.feedEof();
        const error = (await failure(readIn(shape, () => reader.readuntil('AAA')))) as IncompleteReadError;
        expect(error).toBeInstanceOf(IncompleteReadError);
        expect(error.message).toMatch(/undefined expected bytes/);
        expect(Buffer.from(error.partial).toString()).toBe('some dataAA');
        expect(error.expected).toBeNull();
        expect(buffered(reader)).toBe('');
      }));

    it('fails with LimitOverrunError past the limit and keeps the data buffered', () =>
      runVirtual(async () => {
        const reader = new StreamReader(3);
        reader.feedData(Buffer.from('some dataAA'));
        const notFound = (await failure(readIn(shape, () => reader.readuntil('AAA')))) as LimitOverrunError;
        expect(notFound).toBeInstanceOf(LimitOverrunError);
        expect(notFound.message).toMatch(/not found/);
        expect(notFound.consumed).toBe(9);
        expect(bufferedBytes(reader)).toBe(11);
        reader.feedData(Buffer.from('A'));
        const found = (await failure(readIn(shape, () => reader.readuntil('AAA')))) as LimitOverrunError;
        expect(found.message).toMatch(/is found/);
        expect(found.consumed).toBe(9);
        // The data is still there to read otherwise.
        expect((await readIn(shape, () => reader.readexactly(12))).toString()).toBe('some dataAAA');
      }));

    it('takes several separators: the shortest result wins', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('line 1\nline 2\r'));
        expect((await readIn(shape, () => reader.readuntil(['\r', '\n']))).toString()).toBe('line 1\n');
        expect((await readIn(shape, () => reader.readuntil(['\r', '\n']))).toString()).toBe('line 2\r');
        reader.feedData(Buffer.from('ABCDEFG'));
        expect((await readIn(shape, () => reader.readuntil(['DEF', 'BCDE']))).toString()).toBe('ABCDE');
        expect(buffered(reader)).toBe('FG');
      }));

    it('checks the limit against the match of several separators', () =>
      runVirtual(async () => {
        const reader = new StreamReader(3);
        reader.feedData(Buffer.from('some dataA'));
        await expect(readIn(shape, () => reader.readuntil(['A', 'ome dataA']))).rejects.toThrow(/is found/);
        expect(buffered(reader)).toBe('some dataA');
      }));

    it('keeps looking from the right place when the longest separator does not fit yet', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('data'));
        const task = readIn(shape, () => reader.readuntil(['A', 'long sep']));
        const loop = getRunningLoop();
        loop.callSoon(() => reader.feedData(Buffer.from('Z')));
        loop.callSoon(() => reader.feedData(Buffer.from('Aaaa')));
        expect((await task).toString()).toBe('dataZA');
        expect(buffered(reader)).toBe('aaa');
      }));
  });

  describe.each(shapes)('readexactly() in an $name', (shape) => {
    it('returns an empty Buffer for 0 and refuses a negative count', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(DATA);
        expect((await readIn(shape, () => reader.readexactly(0))).length).toBe(0);
        expect(() => reader.readexactly(-1)).toThrow(/n >= 0/);
        expect(buffered(reader)).toBe(DATA.toString());
      }));

    it('waits for exactly n bytes', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const task = readIn(shape, () => reader.readexactly(2 * DATA.length));
        const loop = getRunningLoop();
        for (let i = 0; i < 3; i++) loop.callSoon(() => reader.feedData(DATA));
        expect((await task).toString()).toBe(DATA.toString().repeat(2));
        expect(buffered(reader)).toBe(DATA.toString());
      }));

    it('is not bound by the limit', () =>
      runVirtual(async () => {
        const reader = new StreamReader(3);
        reader.feedData(Buffer.from('chunk'));
        expect((await readIn(shape, () => reader.readexactly(5))).toString()).toBe('chunk');
      }));

    it('fails with IncompleteReadError at EOF, with what was read', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const n = 2 * DATA.length;
        const task = readIn(shape, () => reader.readexactly(n));
        getRunningLoop().callSoon(() => {
          reader.feedData(DATA);
          reader.feedEof();
        });
        const error = (await failure(task)) as IncompleteReadError;
        expect(error).toBeInstanceOf(IncompleteReadError);
        expect(Buffer.from(error.partial).toString()).toBe(DATA.toString());
        expect(error.expected).toBe(n);
        expect(error.message).toBe('18 bytes read on a total of 36 expected bytes');
        expect(buffered(reader)).toBe('');
      }));

    it('fails with the exception set on the stream', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        reader.feedData(Buffer.from('line\n'));
        expect((await readIn(shape, () => reader.readexactly(2))).toString()).toBe('li');
        reader.setException(new ValueError('boom'));
        await expect(readIn(shape, () => reader.readexactly(2))).rejects.toThrow('boom');
      }));
  });

  describe.each(shapes)('cancellation in an $name', (shape) => {
    it('leaves the buffer intact when a waiting read is cancelled', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const task = readIn(shape, () => reader.readexactly(10));
        await sleep(0);
        reader.feedData(Buffer.from('01234'));
        await sleep(0);
        task.cancel();
        await expect(task).rejects.toThrow(CancelledError);
        reader.feedData(Buffer.from('56789'));
        expect((await readIn(shape, () => reader.readexactly(10))).toString()).toBe('0123456789');
      }));

    it('gives the bytes back when the task is cancelled after they came, before it resumed', () =>
      runVirtual(async () => {
        // The data arrives and, in the same callback, the reading task is
        // cancelled: asyncio's task would resume with CancelledError and never
        // take the bytes; here the read took them, and gives them back.
        const reader = new StreamReader();
        const task = readIn(shape, () => reader.readline());
        await sleep(0);
        getRunningLoop().callSoon(() => {
          reader.feedData(Buffer.from('hello\nworld\n'));
          task.cancel();
        });
        await expect(task).rejects.toThrow(CancelledError);
        expect((await readIn(shape, () => reader.readline())).toString()).toBe('hello\n');
        expect((await readIn(shape, () => reader.readline())).toString()).toBe('world\n');
      }));

    it('lets a new read wait after the waiting one was cancelled, and set_exception finds no waiter', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const task = readIn(shape, () => reader.readline());
        await sleep(0);
        task.cancel();
        await sleep(0);
        reader.setException(new RuntimeError('message'));
        await expect(task).rejects.toThrow(CancelledError);
        expect(inspect(reader)).not.toMatch(/waiter/);
      }));

    it('refuses a second read while one waits', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const task = readIn(shape, () => reader.read(1));
        await sleep(0);
        expect(() => reader.readline()).toThrow(/readline\(\) called while another coroutine is already waiting for incoming data/);
        expect(() => reader.read(1)).toThrow(RuntimeError);
        reader.feedData(Buffer.from('x'));
        expect((await task).toString()).toBe('x');
      }));

    it('keeps the bytes of a read that timeout() ends', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        getRunningLoop().callLater(0.1, () => reader.feedData(Buffer.from('ab')));
        const body =
          shape.name === 'async function'
            ? async () => await reader.readexactly(4)
            : function* () {
                return yield* reader.readexactly(4);
              };
        await expect(createTask(shape.awaiting(() => timeout(0.2, body)))).rejects.toBeInstanceOf(TimeoutError);
        reader.feedData(Buffer.from('cd'));
        expect((await readIn(shape, () => reader.readexactly(4))).toString()).toBe('abcd');
      }));

    it('keeps the bytes of a read that waitFor() ends', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        getRunningLoop().callLater(0.1, () => reader.feedData(Buffer.from('ab')));
        await expect(readIn(shape, () => waitFor(reader.readexactly(4), 0.2))).rejects.toBeInstanceOf(TimeoutError);
        reader.feedData(Buffer.from('cd'));
        expect((await readIn(shape, () => reader.readexactly(4))).toString()).toBe('abcd');
      }));
  });

  describe('flow control', () => {
    it('pauses the transport past twice the limit and resumes at the limit or below', () =>
      runVirtual(async () => {
        const reader = new StreamReader(10);
        const transport = new FakeTransport(getRunningLoop(), null as never);
        reader.setTransport(transport);
        reader.feedData(Buffer.alloc(15));
        reader.feedData(Buffer.alloc(5));
        expect(transport.isReading()).toBe(true);
        reader.feedData(Buffer.alloc(1));
        expect(transport.isReading()).toBe(false);
        await reader.read(5);
        expect(transport.isReading()).toBe(false);
        await reader.read(6);
        expect(transport.isReading()).toBe(true);
        expect(transport.readingCalls).toEqual(['pause', 'resume']);
      }));

    it('resumes a paused transport when a read must wait (readexactly past the limit)', () =>
      runVirtual(async () => {
        const reader = new StreamReader(2);
        const transport = new FakeTransport(getRunningLoop(), null as never);
        reader.setTransport(transport);
        reader.feedData(Buffer.from('01234'));
        expect(transport.isReading()).toBe(false);
        const read = reader.readexactly(8);
        expect(transport.isReading()).toBe(true);
        reader.feedData(Buffer.from('567'));
        expect((await read).toString()).toBe('01234567');
      }));

    it('buffers everything when the transport cannot pause', () =>
      runVirtual(async () => {
        const reader = new StreamReader(1);
        const transport = new FakeTransport(getRunningLoop(), null as never);
        transport.pauseReading = () => {
          throw new Error('not implemented');
        };
        reader.setTransport(transport);
        reader.feedData(Buffer.from('abc'));
        reader.feedData(Buffer.from('def'));
        expect((await reader.read(10)).toString()).toBe('abcdef');
      }));

    it('refuses a second transport', () => {
      const reader = new StreamReader();
      reader.setTransport(new FakeTransport(null as never, null as never));
      expect(() => reader.setTransport(new FakeTransport(null as never, null as never))).toThrow(/already set/);
    });
  });

  describe('async iteration', () => {
    it('yields each line until EOF', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const loop = getRunningLoop();
        loop.callSoon(() => reader.feedData(Buffer.from('one\ntw')));
        loop.callSoon(() => reader.feedData(Buffer.from('o\nthree')));
        loop.callSoon(() => reader.feedEof());
        const lines: string[] = [];
        for await (const line of reader) lines.push(line.toString());
        expect(lines).toEqual(['one\n', 'two\n', 'three']);
      }));

    it('is cancelled with its task', () =>
      runVirtual(async () => {
        const reader = new StreamReader();
        const lines: string[] = [];
        const task = createTask(async () => {
          for await (const line of reader) lines.push(line.toString());
        });
        await sleep(0);
        reader.feedData(Buffer.from('a\nb'));
        await sleep(0.1);
        task.cancel();
        await expect(task).rejects.toThrow(CancelledError);
        expect(lines).toEqual(['a\n']);
        reader.feedData(Buffer.from('\n'));
        expect((await reader.readline()).toString()).toBe('b\n');
      }));
  });

  it('prints its state as asyncio does', () =>
    runVirtual(async () => {
      expect(inspect(new StreamReader())).toBe('<StreamReader>');
      expect(String(new StreamReader(123))).toBe('<StreamReader limit=123>');
      const reader = new StreamReader();
      reader.feedEof();
      expect(String(reader)).toBe('<StreamReader eof>');
      const withData = new StreamReader();
      withData.feedData(Buffer.from('data'));
      expect(String(withData)).toBe('<StreamReader 4 bytes>');
      const failed = new StreamReader();
      failed.setException(new RuntimeError('boom'));
      expect(String(failed)).toBe('<StreamReader exception=RuntimeError("boom")>');
      const waiting = new StreamReader();
      const read = waiting.read(1);
      expect(String(waiting)).toMatch(/^<StreamReader waiter=.*pending.*>$/);
      read.cancel();
      const withTransport = new StreamReader();
      withTransport.setTransport(new FakeTransport(getRunningLoop(), null as never));
      expect(String(withTransport)).toBe('<StreamReader transport=FakeTransport>');
    }));
});
