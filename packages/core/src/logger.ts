/**
 * The logger that debug-mode warnings and unhandled loop errors go to when the
 * loop has no exception handler (asyncio logs them to the "asyncio" logger).
 * Writes to stderr by default; replace it with `setLogger()`.
 */
import { debuglog, format } from 'node:util';

export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const trace = debuglog('asyncio-ts');

function toStderr(level: string) {
  return (message: string, ...details: unknown[]) => {
    process.stderr.write(`${level}:asyncio-ts:${format(message, ...details)}\n`);
  };
}

/** The default logger: warnings and errors to stderr; debug and info through NODE_DEBUG=asyncio-ts. */
export const stderrLogger: Logger = {
  debug: (message, ...details) => trace(message, ...details),
  info: (message, ...details) => trace(message, ...details),
  warn: toStderr('WARNING'),
  error: toStderr('ERROR'),
};

let current: Logger = stderrLogger;

/** The logger in use. */
export const logger: Logger = {
  debug: (message, ...details) => current.debug(message, ...details),
  info: (message, ...details) => current.info(message, ...details),
  warn: (message, ...details) => current.warn(message, ...details),
  error: (message, ...details) => current.error(message, ...details),
};

/**
 * Replaces the logger; returns the previous one so it can be restored.
 * @example
 * const previous = setLogger({ ...console, debug: () => {} });
 */
export function setLogger(next: Logger): Logger {
  const previous = current;
  current = next;
  return previous;
}
