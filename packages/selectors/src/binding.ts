/**
 * The native addon's interface, and the loader that finds the real one.
 *
 * Every selector takes a {@link SelectorsBinding} as its constructor
 * parameter, the real addon by default, so the TypeScript side can be tested
 * with a fake one (serialport/bindings-cpp's habit). The addon is loaded at
 * the first construction, not at import: importing this package never fails.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { NativeAddonError } from './errors.js';

/**
 * One kernel watch set (poll(2), epoll or kqueue) behind a poll-like face.
 * Failed system calls throw an Error with a positive `errno` and a `syscall`.
 */
export interface NativePoller {
  /** Watches `fd` for `events` (the poller's own bits); EEXIST if it is already watched. */
  register(fd: number, events: number): void;
  /** Changes the events watched on `fd`; ENOENT if it is not watched. */
  modify(fd: number, events: number): void;
  /** Stops watching `fd`; ENOENT if it is not watched (or, for epoll, already closed). */
  unregister(fd: number): void;
  /**
   * Waits up to `timeoutMs` (negative: forever, 0: not at all) and writes up
   * to `out.length / 2` ready `(fd, events)` pairs into `out`. Returns their
   * count, or -1 when a signal interrupted the wait (EINTR).
   */
  poll(timeoutMs: number, out: Int32Array): number;
  /** Releases the kernel object; idempotent. */
  close(): void;
  /** The kernel object's fd, or -1 (poll(2) has none, and a closed poller neither). */
  fileno(): number;
}

/** A constructor of a {@link NativePoller}; may throw an errno error (e.g. ENOSYS). */
export type NativePollerClass = new () => NativePoller;

/** The event bits of each poller this system has. */
export interface NativeConstants {
  POLLIN: number;
  POLLOUT: number;
  POLLERR: number;
  POLLHUP: number;
  POLLNVAL: number;
  EPOLLIN?: number;
  EPOLLOUT?: number;
  EPOLLERR?: number;
  EPOLLHUP?: number;
  KQ_READ?: number;
  KQ_WRITE?: number;
}

/**
 * What the addon exports: the pollers this system has (`Epoll` on Linux,
 * `Kqueue` on macOS and the BSDs, `Poll` everywhere), their bits, and the fd
 * functions the event loop needs.
 */
export interface SelectorsBinding {
  Poll?: NativePollerClass;
  Epoll?: NativePollerClass;
  Kqueue?: NativePollerClass;
  constants: NativeConstants;
  /** `[readFd, writeFd]`, close-on-exec, O_NONBLOCK when `nonBlocking`. */
  pipe(nonBlocking: boolean): [number, number];
  /** A connected AF_UNIX stream pair, close-on-exec, O_NONBLOCK when `nonBlocking`. */
  socketpair(nonBlocking: boolean): [number, number];
  /** Bytes read into `buffer` (0 at end of file), or null on EAGAIN. */
  read(fd: number, buffer: Uint8Array, offset?: number, length?: number): number | null;
  /** Bytes written from `buffer`, or null on EAGAIN. */
  write(fd: number, buffer: Uint8Array, offset?: number, length?: number): number | null;
  close(fd: number): void;
  setBlocking(fd: number, blocking: boolean): void;
  getBlocking(fd: number): boolean;
}

/**
 * A socket address as the addon gives it: `[host, port]` for IPv4 and IPv6,
 * the path for AF_UNIX (`''` when unnamed), null for another family.
 */
export type NativeAddress = [host: string, port: number] | string | null;

/**
 * The socket functions of the addon. Every one but `getsockopt` returns a
 * negative errno on failure instead of throwing (so a would-block costs no
 * Error); `getsockopt` throws an Error with `errno` and `syscall`.
 */
export interface NativeSocketFunctions {
  /** A new socket fd, close-on-exec; `type` may carry SOCK_NONBLOCK where defined. */
  create(family: number, type: number, proto: number): number;
  socketpair(family: number, type: number, proto: number): [number, number] | number;
  /** `host` is a numeric address (IPv6 may carry a %scope), or the AF_UNIX path. */
  bind(fd: number, family: number, host: string, port: number): number;
  listen(fd: number, backlog: number): number;
  /** 0, or a negative errno (-EINPROGRESS for a non-blocking connect under way). */
  connect(fd: number, family: number, host: string, port: number): number;
  /** The new fd (close-on-exec, non-blocking when asked) and its peer's address. */
  accept(fd: number, nonBlocking: boolean): [number, NativeAddress] | number;
  /** Bytes received into `buffer[offset, offset + length)`, 0 at end of file. */
  recv(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** Bytes sent from `buffer[offset, offset + length)`. */
  send(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** [bytes received into `buffer[offset, offset + length)`, the sender's address (null if none)]. */
  recvfrom(fd: number, buffer: Uint8Array, offset: number, length: number): [number, NativeAddress | null] | number;
  /** Bytes sent from `buffer[offset, offset + length)` to (family, host, port). */
  sendto(fd: number, buffer: Uint8Array, offset: number, length: number, family: number, host: string, port: number): number;
  /** A new close-on-exec fd for the same socket. */
  dup(fd: number): number;
  shutdown(fd: number, how: number): number;
  getsockname(fd: number): NativeAddress | number;
  getpeername(fd: number): NativeAddress | number;
  setsockopt(fd: number, level: number, option: number, value: number): number;
  getsockopt(fd: number, level: number, option: number): number;
  /** The system's values of the socket constants (SOCK_NONBLOCK, SO_REUSEPORT only where defined). */
  constants: Record<string, number>;
}

/** The addon's FdWatcher: a libuv poll handle on Node's loop. */
export interface NativeFdWatcher {
  /** Watches for EVENT_READ and/or EVENT_WRITE bits, replacing what was watched. */
  start(events: number): void;
  stop(): void;
  /** Releases the handle; idempotent. */
  close(): void;
  ref(): void;
  unref(): void;
  hasRef(): boolean;
  active(): boolean;
}

/** Constructs a {@link NativeFdWatcher}; throws an errno error (EEXIST, EBADF…) from uv_poll_init. */
export type NativeFdWatcherClass = new (fd: number, callback: (events: number) => void) => NativeFdWatcher;

/** The socket side of the addon, beside the selectors: sockets, FdWatcher and Node's loop fd. */
export interface SocketBinding {
  socket: NativeSocketFunctions;
  FdWatcher: NativeFdWatcherClass;
  /** libuv's backend fd of this thread's loop (`uv_backend_fd`: epoll's, kqueue's), or -1. */
  uvBackendFd(): number;
}

/** Everything the real addon exports. */
export type NativeBinding = SelectorsBinding & SocketBinding;

// `pnpm rebuild` rebuilds installed dependencies only; inside this
// repository the workspace package is rebuilt by running its install script.
const rebuildHint =
  'rebuild it with `pnpm rebuild @asyncio-ts/selectors` (in the asyncio-ts repository: ' +
  '`pnpm --filter @asyncio-ts/selectors run install`), or `npx node-gyp rebuild` in the package directory; ' +
  'building needs python3, make and a C++ compiler';

/** The package root: `src/` and `dist/` both sit one level below it. */
function packageRoot(): string {
  return fileURLToPath(new URL('..', import.meta.url));
}

/**
 * Loads the addon from `directory` with node-gyp-build (build/Release or
 * prebuilds/). Throws a NativeAddonError that says how to rebuild it.
 */
export function loadBindingFrom(directory: string): NativeBinding {
  try {
    const require = createRequire(import.meta.url);
    const load = require('node-gyp-build') as (directory: string) => unknown;
    return load(directory) as NativeBinding;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
    throw new NativeAddonError(
      `@asyncio-ts/selectors: cannot load its native addon from ${directory} (${reason}); ${rebuildHint}`,
      { cause: error },
    );
  }
}

let loaded: NativeBinding | undefined;

/**
 * The real addon, loaded once on first use.
 *
 * @throws {NativeAddonError} when the addon is not built; the message says how
 * to rebuild it.
 */
export function loadBinding(): NativeBinding {
  loaded ??= loadBindingFrom(packageRoot());
  return loaded;
}
