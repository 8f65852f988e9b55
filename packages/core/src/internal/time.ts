// Seconds everywhere in the API; milliseconds only at Node's boundary, here.

/** A monotonic clock in seconds, as asyncio's `loop.time()` (time.monotonic). */
export interface Clock {
  /** The current time in seconds; never goes backwards. */
  now(): number;
}

/** The real monotonic clock: performance.now() in seconds. */
export const monotonicClock: Clock = {
  now: () => performance.now() / 1000,
};

/** Seconds to the whole milliseconds Node's timers take, rounded up so a timer never fires early. */
export function secondsToTimerMs(seconds: number): number {
  if (seconds <= 0) return 0;
  return Math.min(Math.ceil(seconds * 1000), 2 ** 31 - 1);
}
