/**
 * DefaultSelector: the best selector this system really supports — kqueue,
 * then epoll, then poll(2) — chosen by trying each (Python's `_can_use`).
 *
 * Differences from Python: Python's DefaultSelector is an alias bound at
 * import; here it is a class of its own that makes its choice at the first
 * construction (once per binding), so importing never touches the addon.
 * `kind` says what it chose.
 */
import { loadBinding, type SelectorsBinding } from './binding.js';
import { NotImplementedError } from './errors.js';
import { canUse, createBackend, type PollerKind } from './internal/backends.js';
import { PollLikeSelector } from './poll-like-selector.js';

// In order of preference, as Python's: kqueue|epoll > poll.
const preference: readonly PollerKind[] = ['kqueue', 'epoll', 'poll'];
const chosen = new WeakMap<SelectorsBinding, PollerKind>();

function chooseKind(binding: SelectorsBinding): PollerKind {
  let kind = chosen.get(binding);
  if (kind === undefined) {
    kind = preference.find((candidate) => canUse(binding, candidate));
    if (kind === undefined) {
      throw new NotImplementedError(`DefaultSelector: none of kqueue, epoll or poll(2) works on this system (${process.platform})`);
    }
    chosen.set(binding, kind);
  }
  return kind;
}

/**
 * The most efficient selector available here: KqueueSelector's poller on
 * macOS and the BSDs, EpollSelector's on Linux, else PollSelector's.
 *
 * @example
 * ```ts
 * using selector = new DefaultSelector();
 * selector.register(fd, EVENT_READ, 'input');
 * console.log(selector.kind); // 'epoll' on Linux
 * ```
 */
export class DefaultSelector<T = unknown> extends PollLikeSelector<T> {
  /**
   * @param binding the native addon (the real one by default; tests pass a fake).
   * @throws {NativeAddonError} when the addon is not built.
   * @throws {NotImplementedError} when no poller works at all.
   */
  constructor(binding: SelectorsBinding = loadBinding()) {
    super(createBackend(binding, chooseKind(binding), 'DefaultSelector'));
  }
}
