/**
 * transfer(): marks an argument (or a worker's return value) to be moved to
 * the other thread instead of copied: an ArrayBuffer, a typed array's
 * buffer, a MessagePort, or whatever `transferList` names.
 *
 * Differences from concurrent.futures: Python pickles arguments; here they
 * are structured-cloned, and transfer() moves them without a copy (the
 * sender's buffer is detached afterwards). A child process gets a copy.
 */
import type { TransferListItem } from 'node:worker_threads';
import { describe } from './internal/checks.js';

const transferMarker = Symbol.for('asyncio-ts.executors.transfer');

/** A value with the list of objects to transfer with it. @internal */
export interface Transfer<T = unknown> {
  readonly [transferMarker]: true;
  readonly value: T;
  readonly transferList: readonly TransferListItem[];
}

/**
 * Wraps `value` so that it is transferred to the worker (or, returned by a
 * worker function, back to the caller) rather than copied. Only top-level
 * arguments and return values are looked at.
 * @param value the value to send.
 * @param transferList what to transfer; by default the value itself when it
 *   is an ArrayBuffer or a MessagePort, or its buffer when it is a typed array.
 * @throws TypeError when there is no transferList and the value is none of those.
 * @example
 * const bytes = new Uint8Array(1 << 20);
 * await executor.submit(checksum, transfer(bytes)); // bytes is detached here now
 */
export function transfer<T>(value: T, transferList?: readonly TransferListItem[]): T {
  const list = transferList ?? defaultTransferList(value);
  const wrapper: Transfer<T> = { [transferMarker]: true, value, transferList: list };
  // The wrapper stands for the value in the function's signature.
  return wrapper as unknown as T;
}

function defaultTransferList(value: unknown): TransferListItem[] {
  if (value instanceof ArrayBuffer) return [value];
  if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) return [value.buffer];
  if (typeof value === 'object' && value !== null && value.constructor?.name === 'MessagePort') return [value as TransferListItem];
  throw new TypeError(
    `transfer() cannot tell what to transfer in ${describe(value)}; pass the list: transfer(value, [value.buffer])`,
  );
}

/** True when `value` was made by transfer(). @internal */
export function isTransfer(value: unknown): value is Transfer {
  return typeof value === 'object' && value !== null && (value as { [transferMarker]?: boolean })[transferMarker] === true;
}

/** The arguments with their transfer() wrappers taken off, and what to transfer. @internal */
export function unwrapTransfers(args: readonly unknown[]): { args: unknown[]; transferList: TransferListItem[] } {
  let transferList: TransferListItem[] | null = null;
  let plain: unknown[] | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!isTransfer(arg)) continue;
    plain ??= args.slice();
    plain[i] = arg.value;
    (transferList ??= []).push(...arg.transferList);
  }
  return { args: plain ?? (args as unknown[]), transferList: transferList ?? NO_TRANSFERS };
}

const NO_TRANSFERS: TransferListItem[] = [];
