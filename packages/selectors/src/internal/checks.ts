/** Argument checks shared by the selectors: file objects to fds, events masks. */
import { inspect } from 'node:util';
import { ValueError } from '../errors.js';
import { EVENT_READ, EVENT_WRITE } from '../events.js';

/** What a selector watches: an fd, or an object with a `fileno()` method giving one. */
export type FileObject = number | { fileno(): number };

const MAX_FD = 2 ** 31 - 1;

/** A short printable form of `value` for error messages. */
export function describe(value: unknown): string {
  return inspect(value, { depth: 0, breakLength: Infinity });
}

/**
 * The fd of `fileobj` (Python's `_fileobj_to_fd`).
 *
 * @throws {ValueError} when `fileobj` is neither an fd nor an object whose
 * `fileno()` gives one, or when the fd is negative.
 */
export function fileobjToFd(fileobj: unknown, method: string): number {
  let fd: unknown;
  if (typeof fileobj === 'number') {
    fd = fileobj;
  } else if (typeof (fileobj as { fileno?: unknown } | null)?.fileno === 'function') {
    try {
      fd = (fileobj as { fileno(): unknown }).fileno();
    } catch (error) {
      throw new ValueError(`${method}(): invalid file object ${describe(fileobj)}: its fileno() threw`, { cause: error });
    }
  } else {
    throw new ValueError(
      `${method}(): invalid file object ${describe(fileobj)}; pass an fd number or an object with a fileno() method`,
    );
  }
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd > MAX_FD) {
    throw new ValueError(`${method}(): invalid file descriptor ${describe(fd)}; an fd is a non-negative integer`);
  }
  if (fd < 0) {
    throw new ValueError(`${method}(): invalid file descriptor ${fd}; an fd is a non-negative integer (is the file closed?)`);
  }
  return fd;
}

/**
 * @throws {ValueError} unless `events` is EVENT_READ, EVENT_WRITE or both.
 */
export function checkEvents(events: unknown, method: string): asserts events is number {
  if (typeof events !== 'number' || !Number.isInteger(events) || events < 1 || events > (EVENT_READ | EVENT_WRITE)) {
    throw new ValueError(
      `${method}(): invalid events ${describe(events)}; use EVENT_READ, EVENT_WRITE or EVENT_READ | EVENT_WRITE`,
    );
  }
}
