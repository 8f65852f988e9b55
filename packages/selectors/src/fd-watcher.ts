/**
 * FdWatcher: readiness of one fd delivered by Node's own event loop (a libuv
 * `uv_poll_t`), so the hosted EventLoop can wait on an epoll or kqueue fd, or
 * any socket, without blocking the thread.
 *
 * It has no Python counterpart: it is what uvloop's `UVPoll` handle is to
 * uvloop's loop. Events are this package's EVENT_READ and EVENT_WRITE bits.
 * libuv sets the fd non-blocking when the watcher is made, and lets one
 * watcher only per fd in a thread (another gives EEXIST).
 */
import { inspect } from 'node:util';
import { loadBinding, type NativeFdWatcher, type NativeFdWatcherClass } from './binding.js';
import { EVENT_READ, EVENT_WRITE } from './events.js';
import { checkEvents, describe } from './internal/checks.js';
import { errnoName, OSError, RuntimeError, ValueError } from './errors.js';

const hints: Record<string, string> = {
  EEXIST: 'another FdWatcher of this thread watches this fd; close it first, or share it',
  EBADF: 'the fd is not open',
  EINVAL: "libuv cannot poll this fd (nodeLoopFd(), Node's own loop fd, is one)",
};

/** An errno error of the addon as an OSError with the hint that fits; any other error unchanged. */
function watcherError(error: unknown, context: string): unknown {
  const errno = (error as { errno?: unknown } | null)?.errno;
  if (typeof errno !== 'number') return error;
  const { syscall } = error as { syscall?: string };
  return OSError.fromErrno(errno, { syscall, context, hint: hints[errnoName(errno) ?? ''], cause: error });
}

/** Called with the ready events: EVENT_READ and/or EVENT_WRITE (both on a poll error). */
export type FdWatcherCallback = (events: number) => void;

/**
 * Watches one fd on Node's event loop and calls back when it is ready.
 *
 * The callback runs as a Node I/O callback (its microtasks run right after);
 * an error it throws is an uncaught exception of the process. A started
 * watcher keeps Node running until `stop()`, `close()` or `unref()`; a
 * stopped one never does, and one dropped unclosed is closed when it is
 * garbage-collected.
 *
 * @example
 * ```ts
 * const [readFd, writeFd] = os.pipe();
 * const watcher = new FdWatcher(readFd, (events) => {
 *   if (events & EVENT_READ) console.log('readable');
 *   watcher.close();
 * });
 * watcher.start(EVENT_READ);
 * os.write(writeFd, Buffer.from('x'));
 * ```
 */
export class FdWatcher implements Disposable {
  readonly #fd: number;
  #native: NativeFdWatcher | undefined;
  #events = 0;

  /**
   * @param fd the fd to watch (an epoll fd, a socket, a pipe…).
   * @param callback called with the ready events.
   * @param Binding the addon's FdWatcher class, the real one by default.
   * @throws {ValueError} for a bad fd or callback.
   * @throws {OSError} EEXIST when this thread already watches the fd, EBADF when it is not open.
   */
  constructor(fd: number, callback: FdWatcherCallback, Binding: NativeFdWatcherClass = loadBinding().FdWatcher) {
    if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0 || fd > 2 ** 31 - 1) {
      throw new ValueError(`new FdWatcher(): invalid file descriptor ${describe(fd)}; an fd is a non-negative integer`);
    }
    if (typeof callback !== 'function') {
      throw new ValueError(`new FdWatcher(): callback must be a function, got ${describe(callback)}`);
    }
    try {
      this.#native = new Binding(fd, callback);
    } catch (error) {
      throw watcherError(error, `new FdWatcher(): fd ${fd}`);
    }
    this.#fd = fd;
  }

  /** The watched fd. */
  get fd(): number {
    return this.#fd;
  }

  /** The events being watched (0 when stopped or closed). */
  get events(): number {
    return this.#events;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#native === undefined;
  }

  /**
   * Watches for `events` (EVENT_READ, EVENT_WRITE or both), replacing what
   * was watched.
   *
   * @throws {ValueError} for a bad events mask.
   * @throws {RuntimeError} when the watcher is closed.
   */
  start(events: number): void {
    checkEvents(events, 'start');
    const watcher = this.#open('start');
    try {
      watcher.start(events);
    } catch (error) {
      throw watcherError(error, `start(): fd ${this.#fd}`);
    }
    this.#events = events;
  }

  /** Stops watching; no callback comes after it. A stopped watcher does not keep Node running. */
  stop(): void {
    this.#native?.stop();
    this.#events = 0;
  }

  /** Stops and releases the handle; idempotent, and safe inside the callback. */
  close(): void {
    this.#native?.close();
    this.#native = undefined;
    this.#events = 0;
  }

  /** Closes the watcher at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Lets a started watcher keep Node running (the default). */
  ref(): this {
    this.#native?.ref();
    return this;
  }

  /** Lets Node exit even while this watcher is started. */
  unref(): this {
    this.#native?.unref();
    return this;
  }

  /** True when a started watcher would keep Node running (Node's `hasRef()`). */
  hasRef(): boolean {
    return this.#native?.hasRef() ?? false;
  }

  /** `FdWatcher [fd:5, watching:READ|WRITE, unref]`, `FdWatcher [fd:5, stopped]`, `FdWatcher [fd:5, closed]`. */
  [inspect.custom](): string {
    const state: string[] = [`fd:${this.#fd}`];
    if (!this.#native) {
      state.push('closed');
    } else if (this.#events === 0) {
      state.push('stopped');
    } else {
      const names = [this.#events & EVENT_READ ? 'READ' : '', this.#events & EVENT_WRITE ? 'WRITE' : ''];
      state.push(`watching:${names.filter(Boolean).join('|')}`);
      if (!this.#native.hasRef()) state.push('unref');
    }
    return `FdWatcher [${state.join(', ')}]`;
  }

  #open(method: string): NativeFdWatcher {
    if (!this.#native) throw new RuntimeError(`${method}(): the FdWatcher is closed; create a new one`);
    return this.#native;
  }
}
