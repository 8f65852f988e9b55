/**
 * SelectorKey: a registered file object, its fd, the events watched and the
 * data attached (Python's `SelectorKey` namedtuple).
 *
 * Differences from Python: a frozen object with the same four fields rather
 * than a tuple; `modify()` gives a new key, as `_replace` does.
 */
import { inspect } from 'node:util';
import { EVENT_READ, EVENT_WRITE } from './events.js';
import type { FileObject } from './internal/checks.js';

export type { FileObject } from './internal/checks.js';

/**
 * What `register()` returns and `select()` reports: which file object, its
 * fd, which events are watched, and the caller's data.
 *
 * @example
 * ```ts
 * const key = selector.register(fd, EVENT_READ, onReadable);
 * for (const [readyKey, events] of selector.select(0)) readyKey.data(events);
 * ```
 */
export class SelectorKey<T = unknown> {
  /** The file object as registered: an fd, or an object with `fileno()`. */
  readonly fileobj: FileObject;
  /** Its file descriptor. */
  readonly fd: number;
  /** The events watched: a mask of EVENT_READ and EVENT_WRITE. */
  readonly events: number;
  /** The data given to `register()` or `modify()`. */
  readonly data: T;

  constructor(fileobj: FileObject, fd: number, events: number, data: T) {
    this.fileobj = fileobj;
    this.fd = fd;
    this.events = events;
    this.data = data;
    Object.freeze(this);
  }

  [inspect.custom](): string {
    const events = [this.events & EVENT_READ ? 'READ' : '', this.events & EVENT_WRITE ? 'WRITE' : '']
      .filter(Boolean)
      .join('|');
    return `SelectorKey(fd=${this.fd}, events=${events || 0}, data=${inspect(this.data, { depth: 0 })})`;
  }
}
