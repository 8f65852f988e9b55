/** EpollSelector: a selector on epoll(7), on Linux. */
import { loadBinding, type SelectorsBinding } from './binding.js';
import { createBackend } from './internal/backends.js';
import { PollLikeSelector } from './poll-like-selector.js';

/**
 * A selector on epoll(7): select() costs O(ready fds), however many are
 * registered. Linux only; `fileno()` gives the epoll fd.
 *
 * @example
 * ```ts
 * using selector = new EpollSelector();
 * selector.register(fd, EVENT_READ | EVENT_WRITE, 'peer');
 * for (const [key, events] of selector.select(1)) console.log(key.data, events);
 * ```
 */
export class EpollSelector<T = unknown> extends PollLikeSelector<T> {
  /**
   * @param binding the native addon (the real one by default; tests pass a fake).
   * @throws {NotImplementedError} on a system without epoll (macOS, the BSDs).
   * @throws {NativeAddonError} when the addon is not built.
   */
  constructor(binding: SelectorsBinding = loadBinding()) {
    super(createBackend(binding, 'epoll', 'EpollSelector'));
  }
}
