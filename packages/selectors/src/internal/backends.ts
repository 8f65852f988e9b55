/**
 * The native pollers behind the poll-like selectors: making one from a
 * binding, and Python's `_can_use` (does it really work here?).
 */
import type { NativePoller, SelectorsBinding } from '../binding.js';
import { NotImplementedError, OSError } from '../errors.js';
import { nativeError } from './native-error.js';

/** Which system call a poll-like selector stands on. */
export type PollerKind = 'poll' | 'epoll' | 'kqueue';

/** What a concrete selector gives the poll-like base: a poller and its bits. */
export interface PollerBackend {
  readonly kind: PollerKind;
  readonly poller: NativePoller;
  /** The poller's bit for EVENT_READ (POLLIN, EPOLLIN, KQ_READ). */
  readonly read: number;
  /** The poller's bit for EVENT_WRITE (POLLOUT, EPOLLOUT, KQ_WRITE). */
  readonly write: number;
}

const specs = {
  poll: { poller: 'Poll', read: 'POLLIN', write: 'POLLOUT', needs: 'poll(2)' },
  epoll: { poller: 'Epoll', read: 'EPOLLIN', write: 'EPOLLOUT', needs: 'epoll(7), which Linux has' },
  kqueue: { poller: 'Kqueue', read: 'KQ_READ', write: 'KQ_WRITE', needs: 'kqueue(2), which macOS and the BSDs have' },
} as const;

/**
 * A new poller of `kind` from `binding`.
 *
 * @throws {NotImplementedError} when this system (or binding) lacks it.
 * @throws {OSError} when creating it fails (e.g. EMFILE, ENOSYS).
 */
export function createBackend(binding: SelectorsBinding, kind: PollerKind, selector: string): PollerBackend {
  const spec = specs[kind];
  const Poller = binding[spec.poller];
  const read = binding.constants[spec.read];
  const write = binding.constants[spec.write];
  if (!Poller || read === undefined || write === undefined) {
    throw new NotImplementedError(
      `${selector} needs ${spec.needs}, and this build for ${process.platform} has none; use DefaultSelector, which picks what works`,
    );
  }
  let poller: NativePoller;
  try {
    poller = new Poller();
  } catch (error) {
    throw nativeError(error, `new ${selector}()`);
  }
  return { kind, poller, read, write };
}

/** Python's `_can_use`: true when a poller of `kind` can be made and used here. */
export function canUse(binding: SelectorsBinding, kind: PollerKind): boolean {
  let backend: PollerBackend;
  try {
    backend = createBackend(binding, kind, 'DefaultSelector');
  } catch (error) {
    if (error instanceof OSError || error instanceof NotImplementedError) return false;
    throw error;
  }
  try {
    // poll(2) has nothing to create: check that a call really works.
    if (kind === 'poll') backend.poller.poll(0, new Int32Array(2));
    return true;
  } catch (error) {
    if (typeof (error as { errno?: unknown })?.errno === 'number') return false;
    throw error;
  } finally {
    backend.poller.close();
  }
}
