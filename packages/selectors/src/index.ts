// @asyncio-ts/selectors: Python's selectors module for Node, over a small
// N-API addon (poll(2), epoll, kqueue), plus the fd functions a loop needs.
export { EVENT_READ, EVENT_WRITE } from './events.js';
export { SelectorKey, type FileObject } from './selector-key.js';
export { BaseSelector, type SelectorReady } from './base-selector.js';
export { PollLikeSelector } from './poll-like-selector.js';
export { PollSelector } from './poll-selector.js';
export { EpollSelector } from './epoll-selector.js';
export { KqueueSelector } from './kqueue-selector.js';
export { DefaultSelector } from './default-selector.js';
export type { PollerKind } from './internal/backends.js';
export {
  loadBinding,
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
