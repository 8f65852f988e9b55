/**
 * StreamReader: the reading end of a stream, fed by its protocol (asyncio's
 * streams.StreamReader): read(n), readline(), readexactly(n), readuntil(),
 * with the buffer limit and the transport's read flow control.
 *
 * Differences from asyncio:
 * - Reads return loop Futures (`await reader.read(100)` or
 *   `yield* reader.read(100)`) of Node Buffers instead of `bytes`; the
 *   Buffers are views of the reader's buffer (no copy), never written to
 *   again.
 * - A read that must wait takes its bytes out of the buffer as they arrive
 *   and completes; if its task is cancelled before it resumes, the bytes go
 *   back to the front of the buffer (asyncio takes them when the task
 *   resumes: the same outcome). A read cancelled while it waits took nothing.
 * - read() (n < 0) waits for EOF and takes the whole buffer, instead of
 *   looping over read(limit); cancelled, it leaves every byte buffered.
 * - readuntil() takes a separator as a string (UTF-8), a Uint8Array, or an
 *   array of them (Python 3.13's tuple: the shortest match wins).
 * - Misuse (bad arguments, a second read while one waits) throws at the
 *   call; what the stream does (EOF, its exception) fails the Future.
 * - Async-iterable by line: `for await (const line of reader)`.
 */
import { inspect } from 'node:util';
import type { BaseEventLoop } from './base-event-loop.js';
import { IncompleteReadError, LimitOverrunError, RuntimeError, ValueError } from './errors.js';
import { getRunningLoop } from './events.js';
import { Future } from './future.js';
import { describe } from './internal/checks.js';
import { StreamBuffer } from './internal/stream-buffer.js';
import { StreamWaiter, type StreamWaiterOwner } from './internal/stream-waiter.js';
import type { ReadTransport } from './transports.js';

/** The default buffer limit: 64 KiB, as asyncio's. */
export const DEFAULT_LIMIT = 2 ** 16;

/** A readuntil() separator: bytes, a string (UTF-8), or several of them (the shortest match wins). */
export type Separator = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

/** Options of a StreamReader. */
export interface StreamReaderOptions {
  /** The loop its Futures belong to; the running loop at each read by default. */
  loop?: BaseEventLoop;
}

/** What a read attempt answers when it must wait for more data. */
const WAIT: unique symbol = Symbol('wait');
type Attempt = () => Buffer | typeof WAIT;

const EMPTY = Buffer.alloc(0);
const NEWLINE = Buffer.from('\n');

/**
 * The reading end of a stream: its protocol feeds it bytes (feedData) and
 * EOF (feedEof), and coroutines read from it.
 * @example
 * const [reader, writer] = await openConnection('127.0.0.1', 8888);
 * const line = await reader.readline();        // async function
 * const block = yield* reader.readexactly(4);  // generator coroutine
 */
export class StreamReader implements StreamWaiterOwner<Buffer>, AsyncIterable<Buffer> {
  readonly #limit: number;
  readonly #loop: BaseEventLoop | null;
  readonly #buffer = new StreamBuffer();
  #eof = false;
  #exception: Error | null = null;
  #transport: ReadTransport | null = null;
  #paused = false;
  /** The read waiting for data, and how it tries again. */
  #waiter: StreamWaiter<Buffer> | null = null;
  #attempt: Attempt | null = null;

  /**
   * @param limit The buffer limit in bytes: the longest line readline() and
   *   readuntil() return, and half the buffered bytes past which the
   *   transport's reading pauses. 64 KiB by default.
   * @throws ValueError when limit is not a positive number.
   */
  constructor(limit: number = DEFAULT_LIMIT, options: StreamReaderOptions = {}) {
    if (typeof limit !== 'number' || Number.isNaN(limit)) {
      throw new TypeError(`StreamReader() expects limit as a number of bytes, got ${describe(limit)}`);
    }
    if (limit <= 0) throw new ValueError(`StreamReader() expects limit > 0 bytes, got ${limit}; the default is ${DEFAULT_LIMIT}`);
    this.#limit = limit;
    this.#loop = options.loop ?? null;
  }

  /** The buffer limit in bytes. */
  get limit(): number {
    return this.#limit;
  }

  /** The exception set by setException() (the connection's error), or null. */
  exception(): Error | null {
    return this.#exception;
  }

  /** Sets the stream's exception: a waiting read fails with it, and so does every later read. */
  setException(exception: Error): void {
    this.#exception = exception;
    const waiter = this.#takeWaiter();
    if (waiter !== null && !waiter.cancelled()) waiter.setException(exception);
  }

  /**
   * Sets the transport whose reading pauses while the buffer is full.
   * @throws RuntimeError when a transport is already set.
   */
  setTransport(transport: ReadTransport): void {
    if (this.#transport !== null) throw new RuntimeError('StreamReader.setTransport(): the transport is already set');
    this.#transport = transport;
  }

  /**
   * The connection goes on over a new transport (StreamWriter.startTls()):
   * reading flow control applies to it from now on.
   * @internal
   */
  replaceTransport(transport: ReadTransport): void {
    this.#transport = transport;
    if (this.#paused) transport.pauseReading();
  }

  /** Marks the end of the stream: a waiting read completes with what there is. */
  feedEof(): void {
    this.#eof = true;
    this.#serve();
  }

  /** True when feedEof() was called and the buffer is empty. */
  atEof(): boolean {
    return this.#eof && this.#buffer.length === 0;
  }

  /**
   * Adds received bytes to the buffer, serving a waiting read; past twice
   * the limit, pauses the transport's reading.
   * @throws RuntimeError after feedEof().
   */
  feedData(data: Uint8Array): void {
    if (this.#eof) throw new RuntimeError('StreamReader.feedData() after feedEof(); the stream has ended');
    if (data.length === 0) return;
    this.#buffer.append(data);
    const transport = this.#transport;
    const over = transport !== null && !this.#paused && this.#buffer.length > 2 * this.#limit;
    if (this.#waiter !== null) this.#serve();
    // A read still waiting would resume reading at once (asyncio's
    // _wait_for_data): pause only when none waits and the buffer stays big.
    if (over && this.#waiter === null && this.#buffer.length > this.#limit) {
      try {
        transport.pauseReading();
        this.#paused = true;
      } catch {
        // The transport cannot pause (asyncio's NotImplementedError): buffer
        // everything, and forget the transport so as not to try again.
        this.#transport = null;
      }
    }
  }

  /**
   * Reads up to `n` bytes: as soon as at least one byte is buffered, returns
   * what there is (at most `n`). With `n` < 0 (the default), reads until EOF
   * and returns everything. At EOF, an empty Buffer.
   * @throws RuntimeError at the call when another read is waiting.
   * @example
   * const data = await reader.read(100);
   */
  read(n = -1): Future<Buffer> {
    if (typeof n !== 'number' || Number.isNaN(n)) {
      throw new TypeError(`read() expects n as a number of bytes, got ${describe(n)}; -1 reads to EOF`);
    }
    if (this.#exception !== null) return this.#failed(this.#exception);
    if (n === 0) return this.#done(EMPTY);
    const buffer = this.#buffer;
    if (n < 0) {
      return this.#start('read', () => {
        if (!this.#eof) return WAIT;
        const data = buffer.takeAll();
        this.#maybeResumeTransport();
        return data;
      });
    }
    return this.#start('read', () => {
      if (buffer.length === 0) return this.#eof ? EMPTY : WAIT;
      const data = buffer.take(n);
      this.#maybeResumeTransport();
      return data;
    });
  }

  /**
   * Reads exactly `n` bytes.
   * Fails with IncompleteReadError (`partial`: what was read, now taken) at
   * EOF before `n` bytes.
   * @throws ValueError when `n` < 0; RuntimeError when another read is waiting.
   * @example
   * const header = yield* reader.readexactly(4);
   */
  readexactly(n: number): Future<Buffer> {
    if (typeof n !== 'number' || Number.isNaN(n)) throw new TypeError(`readexactly() expects n as a number of bytes, got ${describe(n)}`);
    if (n < 0) throw new ValueError(`readexactly() expects n >= 0 bytes, got ${n}`);
    if (this.#exception !== null) return this.#failed(this.#exception);
    if (n === 0) return this.#done(EMPTY);
    const buffer = this.#buffer;
    return this.#start('readexactly', () => {
      if (buffer.length < n) {
        if (!this.#eof) return WAIT;
        throw new IncompleteReadError(buffer.takeAll(), n);
      }
      const data = buffer.take(n);
      this.#maybeResumeTransport();
      return data;
    });
  }

  /**
   * Reads a line: up to and including '\n'. At EOF, the incomplete last line
   * (an empty Buffer when nothing is left).
   * Fails with ValueError when the line is longer than the limit; the line
   * (or, with no newline found, the whole buffer) is dropped, as asyncio's.
   * @throws RuntimeError when another read is waiting.
   * @example
   * for (;;) {
   *   const line = await reader.readline();
   *   if (line.length === 0) break;  // EOF
   * }
   */
  readline(): Future<Buffer> {
    if (this.#exception !== null) return this.#failed(this.#exception);
    const until = this.#untilAttempt([NEWLINE]);
    const buffer = this.#buffer;
    return this.#start('readline', () => {
      try {
        return until();
      } catch (error) {
        if (error instanceof IncompleteReadError) return error.partial as Buffer;
        if (error instanceof LimitOverrunError) {
          if (buffer.startsWith(NEWLINE, error.consumed)) buffer.skip(error.consumed + NEWLINE.length);
          else buffer.clear();
          this.#maybeResumeTransport();
          throw new ValueError(error.message);
        }
        throw error;
      }
    });
  }

  /**
   * Reads up to and including `separator` (or the one of several separators
   * that gives the shortest result).
   * Fails with LimitOverrunError (`consumed`) when the data before the
   * separator passes the limit: the data stays buffered, to read otherwise.
   * Fails with IncompleteReadError (`partial`: the rest, now taken, `expected`
   * null) at EOF before a separator.
   * @throws ValueError when the separator is empty, or an empty array;
   *   RuntimeError when another read is waiting.
   * @example
   * const head = await reader.readuntil('\r\n\r\n');
   * const word = yield* reader.readuntil([' ', '\n']);
   */
  readuntil(separator: Separator = NEWLINE): Future<Buffer> {
    const separators = toSeparators(separator);
    if (this.#exception !== null) return this.#failed(this.#exception);
    return this.#start('readuntil', this.#untilAttempt(separators));
  }

  /** `for await (const line of reader)`: each line, until EOF (as Python's `async for`). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  // --- StreamWaiterOwner --------------------------------------------------------

  /** @internal */
  waiterCancelled(waiter: StreamWaiter<Buffer>): void {
    if (this.#waiter !== waiter) return;
    this.#waiter = null;
    this.#attempt = null;
  }

  /** @internal */
  giveBack(value: Buffer): void {
    this.#buffer.prepend(value);
    this.#serve();
  }

  // --- internals ----------------------------------------------------------------

  /** readuntil()'s attempt: finds the first separator match, remembering where it looked. */
  #untilAttempt(separators: Buffer[]): Attempt {
    const buffer = this.#buffer;
    const limit = this.#limit;
    const shortest = separators[0]!.length;
    const longest = separators[separators.length - 1]!.length;
    // Bytes from the front known to hold no separator start.
    let offset = 0;
    return () => {
      let matchStart = -1;
      let matchEnd = -1;
      for (;;) {
        const length = buffer.length;
        if (length - offset >= shortest) {
          for (const separator of separators) {
            const at = buffer.indexOf(separator, offset);
            if (at !== -1 && (matchEnd === -1 || at + separator.length < matchEnd)) {
              matchStart = at;
              matchEnd = at + separator.length;
            }
          }
          if (matchEnd !== -1) break;
          // A separator may start in the last longest-1 bytes.
          offset = Math.max(0, length + 1 - longest);
          if (offset > limit) throw new LimitOverrunError('Separator is not found, and chunk exceed the limit', offset);
        }
        // A complete match may come with the last chunk, so check for EOF
        // only after looking at the buffer.
        if (this.#eof) throw new IncompleteReadError(buffer.takeAll(), null);
        return WAIT;
      }
      if (matchStart > limit) throw new LimitOverrunError('Separator is found, but chunk is longer than limit', matchStart);
      const chunk = buffer.take(matchEnd);
      this.#maybeResumeTransport();
      return chunk;
    };
  }

  /** Runs a read: at once when it can be done now, else as the waiting read. */
  #start(method: string, attempt: Attempt): Future<Buffer> {
    const loop = this.#loop ?? getRunningLoop();
    let value: Buffer | typeof WAIT;
    try {
      value = attempt();
    } catch (error) {
      return this.#failed(error, loop);
    }
    if (value !== WAIT) return this.#done(value, loop);
    // One read waits at a time: with two, which would get the next bytes?
    if (this.#waiter !== null) {
      throw new RuntimeError(`${method}() called while another coroutine is already waiting for incoming data`);
    }
    // Waiting while paused would wait forever (readexactly(n) with n > limit).
    this.#resumeTransport();
    const waiter = new StreamWaiter<Buffer>(loop, this);
    this.#waiter = waiter;
    this.#attempt = attempt;
    return waiter;
  }

  /** Tries the waiting read again: new data, EOF, or bytes given back. */
  #serve(): void {
    const waiter = this.#waiter;
    if (waiter === null) return;
    let value: Buffer | typeof WAIT;
    try {
      value = this.#attempt!();
    } catch (error) {
      this.#takeWaiter();
      waiter.setException(error);
      return;
    }
    if (value === WAIT) return;
    this.#takeWaiter();
    waiter.handOver(value);
  }

  #takeWaiter(): StreamWaiter<Buffer> | null {
    const waiter = this.#waiter;
    this.#waiter = null;
    this.#attempt = null;
    return waiter;
  }

  #maybeResumeTransport(): void {
    if (this.#paused && this.#buffer.length <= this.#limit) this.#resumeTransport();
  }

  #resumeTransport(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#transport?.resumeReading();
  }

  #done(value: Buffer, loop = this.#loop ?? getRunningLoop()): Future<Buffer> {
    const future = new Future<Buffer>({ loop });
    future.setResult(value);
    return future;
  }

  #failed(error: unknown, loop = this.#loop ?? getRunningLoop()): Future<Buffer> {
    const future = new Future<Buffer>({ loop });
    future.setException(error);
    return future;
  }

  toString(): string {
    const info = ['StreamReader'];
    if (this.#buffer.length > 0) info.push(`${this.#buffer.length} bytes`);
    if (this.#eof) info.push('eof');
    if (this.#limit !== DEFAULT_LIMIT) info.push(`limit=${this.#limit}`);
    if (this.#waiter !== null) info.push(`waiter=${this.#waiter}`);
    if (this.#exception !== null) info.push(`exception=${this.#exception.name}(${JSON.stringify(this.#exception.message)})`);
    if (this.#transport !== null) info.push(`transport=${this.#transport.constructor.name}`);
    if (this.#paused) info.push('paused');
    return `<${info.join(' ')}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The separators of readuntil() as Buffers, shortest first. */
function toSeparators(separator: Separator): Buffer[] {
  const list = Array.isArray(separator) ? (separator as ReadonlyArray<string | Uint8Array>) : [separator as string | Uint8Array];
  if (list.length === 0) throw new ValueError('readuntil() expects at least one separator, got an empty array');
  const buffers = list.map((item) => {
    if (typeof item === 'string') return Buffer.from(item, 'utf8');
    if (item instanceof Uint8Array) return Buffer.isBuffer(item) ? item : Buffer.from(item.buffer, item.byteOffset, item.length);
    throw new TypeError(`readuntil() expects separator as a string, a Uint8Array or an array of them, got ${describe(separator)}`);
  });
  buffers.sort((a, b) => a.length - b.length);
  if (buffers[0]!.length === 0) throw new ValueError('readuntil() expects a separator of at least one byte, got an empty one');
  return buffers;
}
