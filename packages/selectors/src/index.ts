// @asyncio-ts/selectors: Python's selectors module for Node, over a small
// N-API addon (poll(2), epoll, kqueue), plus the fd functions, sockets and
// the libuv fd watcher and Node's loop fd a loop needs.
export { EVENT_READ, EVENT_WRITE } from './events.js';
export { SelectorKey, type FileObject } from './selector-key.js';
export { BaseSelector, type SelectorReady } from './base-selector.js';
export { PollLikeSelector } from './poll-like-selector.js';
export { PollSelector } from './poll-selector.js';
export { EpollSelector } from './epoll-selector.js';
export { KqueueSelector } from './kqueue-selector.js';
export { DefaultSelector } from './default-selector.js';
export type { PollerKind } from './internal/backends.js';
export { Socket, socketpair, type Address } from './socket.js';
export {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV6_V6ONLY,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SOMAXCONN,
  SO_BROADCAST,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  SO_TYPE,
  TCP_NODELAY,
} from './socket-constants.js';
export { FdWatcher, type FdWatcherCallback } from './fd-watcher.js';
export { nodeLoopFd } from './node-loop-fd.js';
export {
  loadBinding,
  type NativeAddress,
  type NativeBinding,
  type NativeFdWatcher,
  type NativeFdWatcherClass,
  type NativeSocketFunctions,
  type SocketBinding,
  type NativeConstants,
  type NativePoller,
  type NativePollerClass,
  type SelectorsBinding,
} from './binding.js';
export * as os from './os.js';
export type { FdPairOptions } from './os.js';
export {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  InterruptedError,
  KeyError,
  NativeAddonError,
  NotImplementedError,
  OSError,
  RuntimeError,
  SelectorsError,
  ValueError,
  type OSErrorOptions,
} from './errors.js';
