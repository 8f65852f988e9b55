// Blocking the calling thread until futures are done, on any thread, the
// main one included: result(timeout), exception(timeout), wait(),
// asCompleted() and map()'s next().
//
// While a thread blocks, its event loop does not run, so no 'message' event
// can deliver a worker's result. Instead every result source (a pool's
// ports) is drained by hand with receiveMessageOnPort(), and between drains
// the thread sleeps in Atomics.wait() on one shared "wake" word that every
// worker increments (and notifies) after it posts a message. The loop reads
// the word *before* draining and waits only while it still holds that value,
// so a message posted between the drain and the wait is never slept through;
// and since Atomics.wait() can also return on a stale wake-up, the condition
// is re-checked on every turn.
import { RuntimeError } from '../errors.js';

/** Something that can settle futures synchronously by pulling its queued messages. */
export interface ResultSource {
  /** Pulls every message that has arrived and handles it (settling futures). */
  drain(): void;
  /**
   * The word the source's senders increment and notify after each message;
   * the thread's own word (wakeWord()) by default. A source with another word
   * is polled every few milliseconds instead.
   */
  readonly wake?: Int32Array;
}

interface BlockingState {
  readonly wake: Int32Array;
  readonly sources: Set<ResultSource>;
}

// One state per thread, shared by every copy of the package loaded in it
// (the ESM and CJS builds, say): each worker thread has its own globalThis.
const key = Symbol.for('asyncio-ts.executors.blocking');
const holder = globalThis as typeof globalThis & { [key]?: BlockingState };

function state(): BlockingState {
  return (holder[key] ??= { wake: new Int32Array(new SharedArrayBuffer(4)), sources: new Set() });
}

/** This thread's wake word: workers increment and notify it after posting a message to this thread. */
export function wakeWord(): Int32Array {
  return state().wake;
}

/** Wakes a thread blocked on `word` (called by the sending side after postMessage). */
export function notifyWake(word: Int32Array): void {
  Atomics.add(word, 0, 1);
  Atomics.notify(word, 0);
}

/** Makes `source` drained by blocking waits on this thread until removed. */
export function addResultSource(source: ResultSource): void {
  state().sources.add(source);
}

export function removeResultSource(source: ResultSource): void {
  state().sources.delete(source);
}

/** How long one wait may sleep when some source notifies another word than ours. */
const FOREIGN_POLL_MS = 5;

/**
 * Blocks the thread until `isDone()` is true or `timeout` seconds pass
 * (null: no limit); returns false on timeout.
 * @throws RuntimeError when nothing could ever make `isDone()` true (no
 *   source has work in flight) and there is no timeout: that wait would be
 *   forever.
 */
export function blockUntil(isDone: () => boolean, timeout: number | null, method: string): boolean {
  const { wake, sources } = state();
  const deadline = timeout === null ? Infinity : performance.now() + timeout * 1000;
  for (;;) {
    const seen = Atomics.load(wake, 0);
    let foreign = false;
    // A copy: draining may add or remove sources (a pool that goes idle).
    for (const source of [...sources]) {
      source.drain();
      if (source.wake !== undefined && source.wake !== wake) foreign = true;
    }
    if (isDone()) return true;
    const remaining = deadline - performance.now();
    if (remaining <= 0) return false;
    if (sources.size === 0 && deadline === Infinity) {
      throw new RuntimeError(
        `${method} would block forever: no executor on this thread has work in flight that could complete this future; ` +
          'a Future settled by this same thread must be awaited (await future), not waited for',
      );
    }
    Atomics.wait(wake, 0, seen, foreign ? Math.min(remaining, FOREIGN_POLL_MS) : remaining);
  }
}
