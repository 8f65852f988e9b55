/**
 * KqueueSelector: a selector on kqueue(2), on macOS and the BSDs.
 *
 * Differences from Python: an fd ready both ways is one `[key, READ|WRITE]`
 * entry, not two entries (one per kqueue filter) as in Python.
 */
import { loadBinding, type SelectorsBinding } from './binding.js';
import { createBackend } from './internal/backends.js';
import { PollLikeSelector } from './poll-like-selector.js';

/**
 * A selector on kqueue(2): select() costs O(ready fds). macOS and the BSDs
 * only; `fileno()` gives the kqueue fd.
 *
 * @example
 * ```ts
 * using selector = new KqueueSelector();
 * selector.register(fd, EVENT_READ);
 * const ready = selector.select(1);
 * ```
 */
export class KqueueSelector<T = unknown> extends PollLikeSelector<T> {
  /**
   * @param binding the native addon (the real one by default; tests pass a fake).
   * @throws {NotImplementedError} on a system without kqueue (Linux).
   * @throws {NativeAddonError} when the addon is not built.
   */
  constructor(binding: SelectorsBinding = loadBinding()) {
    super(createBackend(binding, 'kqueue', 'KqueueSelector'));
  }
}
