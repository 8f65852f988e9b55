/** Turning the addon's errno errors into this package's OSError family. */
import { errnoName, OSError } from '../errors.js';

/** Hints for the errno values a user can fix, by errno name. */
const hints: Record<string, string> = {
  EBADF: 'the fd is not open; register an open fd, and unregister it before closing it',
  EPERM: 'this selector cannot watch that kind of file (epoll refuses regular files); use PollSelector',
};

/**
 * `error` from the addon as an OSError (of the subclass Python would pick)
 * whose message starts with `context`; any other error unchanged.
 */
export function nativeError(error: unknown, context: string): unknown {
  if (typeof error !== 'object' || error === null || typeof (error as { errno?: unknown }).errno !== 'number') {
    return error;
  }
  const { errno, syscall } = error as { errno: number; syscall?: string };
  const code = errnoName(errno);
  return OSError.fromErrno(errno, { syscall, context, hint: code ? hints[code] : undefined, cause: error });
}
