/**
 * Server: what createServer() and startServer() return (asyncio's
 * base_events.Server), over one or more listening sockets: Node net.Servers
 * on the EventLoop, the loop's own sockets on a SelectorEventLoop.
 *
 * Differences from asyncio:
 * - `[Symbol.asyncDispose]` stands for `async with server:` (`await using`).
 * - waitClosed() waits until the server is closed and its connections are
 *   gone, as Python 3.12.1+ does (3.11 returned at once if not closed).
 * - closeClients() and abortClients() are Python 3.13's.
 * - On the EventLoop, a server made with `startServing: false` already
 *   listens (Node binds and listens in one step); connections that come
 *   before startServing() wait, unread, and are served then.
 */
import { inspect } from 'node:util';
import type { BaseEventLoop } from './base-event-loop.js';
import { CancelledError, RuntimeError } from './errors.js';
import type { Future } from './future.js';
import type { Task } from './task.js';
import type { Coroutine } from './coroutines.js';
import type { FlowControlTransport } from './internal/flow-control.js';
import { setResultUnlessDone } from './internal/stream-transport.js';

/** A listening socket of a Server (asyncio's TransportSocket): its address and fd. */
export interface ServerSocket {
  /** The bound address: `[host, port]`, or a path for a Unix socket. */
  getsockname(): [string, number] | string;
  /** The file descriptor, or -1 once closed or where it is unknown. */
  fileno(): number;
}

/** A ServerSocket over its listener's getters (asyncio's TransportSocket: no I/O through it). @internal */
export class ListeningSocket implements ServerSocket {
  readonly #getsockname: () => [string, number] | string;
  readonly #fileno: () => number;

  constructor(getsockname: () => [string, number] | string, fileno: () => number) {
    this.#getsockname = getsockname;
    this.#fileno = fileno;
  }

  getsockname(): [string, number] | string {
    return this.#getsockname();
  }

  fileno(): number {
    return this.#fileno();
  }

  toString(): string {
    const fd = this.fileno();
    if (fd < 0) return '<ServerSocket [closed]>';
    const name = this.getsockname();
    return `<ServerSocket fd=${fd} laddr=${typeof name === 'string' ? name : `${name[0]}:${name[1]}`}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** One listening socket and the way it accepts connections for a Server. @internal */
export interface ServerListener {
  readonly socket: ServerSocket;
  /** Starts accepting connections, whose transports attach to `server`. */
  startServing(server: Server): void;
  /** Stops accepting and closes the listening socket. */
  close(): void;
}

/**
 * A TCP or Unix-socket server: accepts connections and gives each a
 * transport and a new protocol. Made by createServer().
 *
 * @example
 * const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0);
 * const [host, port] = server.sockets[0].getsockname();
 * await using _ = server; // closes it and waits for it at the end of the block
 */
export class Server {
  readonly #loop: BaseEventLoop;
  #listeners: ServerListener[] | null;
  #activeCount = 0;
  #waiters: Future<void>[] | null = [];
  #serving = false;
  #servingForever: Future<void> | null = null;
  readonly #clients = new Set<FlowControlTransport>();

  /** @internal */
  constructor(loop: BaseEventLoop, listeners: ServerListener[]) {
    this.#loop = loop;
    this.#listeners = listeners;
  }

  getLoop(): BaseEventLoop {
    return this.#loop;
  }

  /** True while the server accepts connections. */
  isServing(): boolean {
    return this.#serving;
  }

  /** The listening sockets; empty once closed. */
  get sockets(): readonly ServerSocket[] {
    return this.#listeners === null ? [] : this.#listeners.map((listener) => listener.socket);
  }

  /**
   * Starts accepting connections (a no-op when serving); the Future completes
   * on the next iteration, once the listeners are in place.
   */
  startServing(): Future<void> {
    this.#startServing();
    const done = this.#loop.createFuture<void>();
    this.#loop.scheduleSoon(setResultUnlessDone, null, done);
    return done;
  }

  /** @internal */
  #startServing(): void {
    if (this.#serving || this.#listeners === null) return;
    this.#serving = true;
    for (const listener of this.#listeners) listener.startServing(this);
  }

  /**
   * Serves until cancelled: the returned Task is cancelled (or the task
   * awaiting it), then the server closes and waits for its connections.
   * The Task fails with RuntimeError when the server is closed or already
   * serving forever.
   * @example
   * const server = await createServer(loop, () => new Echo(), '127.0.0.1', 8888);
   * await server.serveForever();
   */
  serveForever(): Task<void> {
    return this.#loop.createTask(this.#serveForever());
  }

  *#serveForever(): Coroutine<void> {
    if (this.#servingForever !== null) {
      throw new RuntimeError(`serveForever(): server ${this} is already being awaited on serveForever(); call it once`);
    }
    if (this.#listeners === null) throw new RuntimeError(`serveForever(): server ${this} is closed; create a new server`);
    this.#startServing();
    const forever = (this.#servingForever = this.#loop.createFuture<void>());
    try {
      yield* forever;
    } catch (error) {
      if (!CancelledError.isInstance(error)) throw error;
      try {
        this.close();
        yield* this.waitClosed();
      } finally {
        // eslint-disable-next-line no-unsafe-finally -- rethrow the cancellation, as asyncio's `finally: raise`
        throw error;
      }
    } finally {
      if (this.#servingForever === forever) this.#servingForever = null;
    }
  }

  /**
   * Stops listening: the listening sockets close; connections already made
   * stay open (see closeClients()). Closing twice does nothing.
   */
  close(): void {
    const listeners = this.#listeners;
    if (listeners === null) return;
    this.#listeners = null;
    for (const listener of listeners) listener.close();
    this.#serving = false;
    const forever = this.#servingForever;
    if (forever !== null && !forever.done()) forever.cancel();
    this.#servingForever = null;
    if (this.#activeCount === 0) this.#wakeup();
  }

  /** Closes every connection of the server (their buffered data is still sent). */
  closeClients(): void {
    for (const transport of [...this.#clients]) transport.close();
  }

  /** Aborts every connection of the server at once. */
  abortClients(): void {
    for (const transport of [...this.#clients]) transport.abort();
  }

  /** Completes once the server is closed and all its connections are gone. */
  waitClosed(): Future<void> {
    const waiter = this.#loop.createFuture<void>();
    if (this.#waiters === null) waiter.setResult(undefined);
    else this.#waiters.push(waiter);
    return waiter;
  }

  /** `await using server`: close() and waitClosed(), as Python's `async with server`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve(this.waitClosed());
  }

  /** A transport of this server was made. @internal */
  attach(transport: FlowControlTransport): void {
    this.#activeCount++;
    this.#clients.add(transport);
  }

  /** A transport of this server lost its connection. @internal */
  detach(transport: FlowControlTransport): void {
    this.#activeCount--;
    this.#clients.delete(transport);
    if (this.#activeCount === 0 && this.#listeners === null) this.#wakeup();
  }

  #wakeup(): void {
    const waiters = this.#waiters;
    this.#waiters = null;
    if (waiters === null) return;
    for (const waiter of waiters) if (!waiter.done()) waiter.setResult(undefined);
  }

  toString(): string {
    const sockets = this.sockets.map((socket) => {
      const name = socket.getsockname();
      return typeof name === 'string' ? name : `${name[0]}:${name[1]}`;
    });
    const state = this.#listeners === null ? 'closed' : this.#serving ? 'serving' : 'not serving';
    return `<Server ${state} sockets=[${sockets.join(', ')}] connections=${this.#activeCount}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
