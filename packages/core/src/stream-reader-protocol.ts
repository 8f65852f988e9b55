/**
 * StreamReaderProtocol: the protocol between a transport and a
 * StreamReader/StreamWriter pair (asyncio's streams.StreamReaderProtocol).
 * It feeds the reader, gives drain() its write flow control, and, on a
 * server, calls the client-connected callback with a new reader and writer.
 *
 * Differences from asyncio:
 * - The reader is held strongly (asyncio holds a weak reference).
 * - The callback may be a plain function, an async function or a generator
 *   function; an async or generator function runs as a task from its first
 *   line (so currentTask() is that task), and a plain function that returns a
 *   coroutine (a generator or a promise) has it run as a task, as asyncio's.
 * - waitClosed() gives each caller its own Future: cancelling one does not
 *   cancel the connection's.
 */
import type { BaseEventLoop } from './base-event-loop.js';
import { isCoroutine, type Coroutine } from './coroutines.js';
import { getEventLoop } from './events.js';
import { Future } from './future.js';
import { DrainFlowControl } from './internal/drain-helper.js';
import type { StreamReader } from './stream-reader.js';
import { StreamWriter } from './stream-writer.js';
import type { Task } from './task.js';
import type { BaseTransport, Transport } from './transports.js';

/**
 * What startServer() calls for each client: a plain, async or generator
 * function of the connection's reader and writer.
 */
export type ClientConnected = (reader: StreamReader, writer: StreamWriter) => void | PromiseLike<unknown> | Coroutine<unknown>;

/** Options of a StreamReaderProtocol. */
export interface StreamReaderProtocolOptions {
  /** The loop; the running (or current) loop by default. */
  loop?: BaseEventLoop;
}

/**
 * Adapts a transport's protocol callbacks to a StreamReader (and, on a
 * server, makes the StreamWriter and calls the client callback).
 * @example
 * const reader = new StreamReader();
 * const protocol = new StreamReaderProtocol(reader);
 * const [transport] = await loop.createConnection(() => protocol, host, port);
 * const writer = new StreamWriter(transport, protocol, reader, loop);
 */
export class StreamReaderProtocol extends DrainFlowControl {
  #reader: StreamReader | null;
  readonly #clientConnected: ClientConnected | null;
  #transport: Transport | null = null;
  #overSsl = false;
  #task: Task<unknown> | null = null;
  /** Completes when the connection is lost: what waitClosed() waits for. */
  readonly #closed: Future<void>;

  /**
   * @param streamReader The reader to feed (null for none).
   * @param clientConnected On a server, called with the reader and a new writer once connected.
   */
  constructor(streamReader: StreamReader | null, clientConnected: ClientConnected | null = null, options: StreamReaderProtocolOptions = {}) {
    super(options.loop ?? getEventLoop());
    if (clientConnected !== null && typeof clientConnected !== 'function') {
      throw new TypeError(`StreamReaderProtocol() expects clientConnected as a function of (reader, writer), got ${typeof clientConnected}`);
    }
    this.#reader = streamReader;
    this.#clientConnected = clientConnected;
    this.#closed = new Future<void>({ loop: this.loop });
  }

  override connectionMade(transport: BaseTransport): void {
    const stream = transport as Transport;
    this.#transport = stream;
    const reader = this.#reader;
    reader?.setTransport(stream);
    this.#overSsl = stream.getExtraInfo('sslcontext') != null;
    if (this.#clientConnected === null) return;
    const writer = new StreamWriter(stream, this, reader, this.loop);
    this.#startClient(this.#clientConnected, reader!, writer, stream);
  }

  override connectionLost(error: Error | undefined): void {
    const reader = this.#reader;
    if (reader !== null) {
      if (error === undefined) reader.feedEof();
      else reader.setException(error);
    }
    if (!this.#closed.done()) {
      if (error === undefined) this.#closed.setResult(undefined);
      else {
        this.#closed.setException(error);
        // Seen through the reader and waitClosed(); nobody need retrieve it here.
        this.#closed.exception();
      }
    }
    super.connectionLost(error);
    this.#reader = null;
    this.#task = null;
    this.#transport = null;
  }

  override dataReceived(data: Buffer): void {
    this.#reader?.feedData(data);
  }

  override eofReceived(): boolean {
    this.#reader?.feedEof();
    // Keep the transport open for writing (half-close), except over TLS,
    // which cannot half-close.
    return !this.#overSsl;
  }

  /** The writer's connection goes on over a new transport (StreamWriter.startTls(), asyncio's _replace_writer). @internal */
  replaceWriter(writer: StreamWriter): void {
    const transport = writer.transport;
    this.#transport = transport;
    this.#reader?.replaceTransport(transport);
    this.#overSsl = transport.getExtraInfo('sslcontext') != null;
  }

  /** The Future StreamWriter.waitClosed() waits on (shared: do not cancel it). @internal */
  get closeWaiter(): Future<void> {
    return this.#closed;
  }

  /** True on a server's side of a connection. @internal */
  get serverSide(): boolean {
    return this.#clientConnected !== null;
  }

  /** The task running the client callback, while the connection lives. @internal */
  get clientTask(): Task<unknown> | null {
    return this.#task;
  }

  /** Calls the client callback; a coroutine it is or returns runs as a task, whose error goes to the exception handler. */
  #startClient(callback: ClientConnected, reader: StreamReader, writer: StreamWriter, transport: Transport): void {
    const loop = this.loop;
    let task: Task<unknown>;
    if (isCoroutineFunction(callback)) {
      // Its body starts in the task's first step, with currentTask() set.
      task = loop.createTask(() => callback(reader, writer) as Coroutine<unknown> | PromiseLike<unknown>);
    } else {
      const result = callback(reader, writer);
      if (!isCoroutine(result)) return;
      task = loop.createTask(result);
    }
    this.#task = task;
    task.addDoneCallback((done) => {
      if (done.cancelled()) {
        transport.close();
        return;
      }
      const error = done.exception();
      if (error === null) return;
      loop.callExceptionHandler({ message: 'Unhandled exception in clientConnected callback', exception: error, transport });
      transport.close();
    });
  }
}

/** True for an async function or a generator function (by what the language makes them). */
function isCoroutineFunction(fn: (...args: never[]) => unknown): boolean {
  const tag = (fn as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
  return tag === 'AsyncFunction' || tag === 'GeneratorFunction';
}
