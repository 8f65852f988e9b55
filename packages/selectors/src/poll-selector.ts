/**
 * PollSelector: a selector on poll(2), on every POSIX system.
 *
 * Differences from Python: registering an fd that is not open throws an
 * OSError (EBADF) at once, as the epoll and kqueue selectors do, where
 * Python's PollSelector accepts it and reports it ready for ever (POLLNVAL).
 */
import { loadBinding, type SelectorsBinding } from './binding.js';
import { createBackend } from './internal/backends.js';
import { PollLikeSelector } from './poll-like-selector.js';

/**
 * A selector on poll(2). Each select() hands the kernel the whole set, so it
 * costs O(registered fds); prefer DefaultSelector (epoll or kqueue) for many.
 *
 * @example
 * ```ts
 * using selector = new PollSelector();
 * selector.register(fd, EVENT_READ);
 * const ready = selector.select(0.5);
 * ```
 */
export class PollSelector<T = unknown> extends PollLikeSelector<T> {
  /**
   * @param binding the native addon (the real one by default; tests pass a fake).
   * @throws {NativeAddonError} when the addon is not built.
   */
  constructor(binding: SelectorsBinding = loadBinding()) {
    super(createBackend(binding, 'poll', 'PollSelector'));
  }
}
