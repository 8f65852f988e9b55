// The shared-memory channel of one connection: a slot in a SharedArrayBuffer
// that carries one call at a time and its reply, without a MessagePort hop.
//
// A blocking round trip over a port costs a structured clone each way, a
// message event on the loop thread and a wake-up of each thread. Through
// the slot, the submitter writes the call's words and plain arguments
// (plain-codec.ts) and bumps REQUEST; the loop thread takes it in (TAKEN),
// runs it as any call, writes the result back and bumps REPLY. A call that
// does not fit inline (a first call, which defines its function; arguments
// that are not plain) still takes the slot when it is free, as an
// announcement of its port message, so that the loop thread takes it in at
// once and replies in the slot. Calls made while the slot is taken go
// through the port alone, and the two streams are kept in submission order
// by counters (see Connection and Server).
//
// Who waits how: the loop thread waits on REQUEST with Atomics.waitAsync
// while its loop has nothing better to do (LOOP_STATE WAITING: a submitter
// then notifies), and polls REQUEST for a moment after a reply to a
// submitter that was spinning for it (SUBMITTER_STATE ACTIVE), whose next
// call comes within microseconds. The submitter spins on its wake word for
// a moment while the loop thread shows progress, then sleeps in
// Atomics.wait (executors' blockUntil); the loop thread bumps that word
// after each reply. Both spins adapt (SpinBudget): on a busy machine, where
// the other thread often has no core, spinning only delays it.
//
// Words (Int32 indices); seqs start at 1 and wrap around (isLater).
/** The seq of the last call written into the slot (the loop thread waits on it). */
export const REQUEST = 0;
/** The seq of the last call whose reply the loop thread has written (or posted). */
export const REPLY = 1;
/** WAITING while the loop thread waits on REQUEST with Atomics.waitAsync (a new call must notify it); BUSY otherwise. */
export const LOOP_STATE = 2;
/** The call's id (shared with the port's calls). */
export const CALL_ID = 3;
/** The call's function id (already defined on this connection). */
export const CALL_FUNCTION = 4;
/** The call's mode: TASK or SOON. */
export const CALL_MODE = 5;
/** How many call messages the submitter had posted on the port before this call: the loop takes those first. */
export const CALL_PORT_CALLS = 6;
/** The reply: VALUE (encoded in the data region) or POSTED (a 'done' message on the port). */
export const REPLY_KIND = 7;
/** The seq of the last slot call the loop thread has taken in (a submitter spins while it sees progress). */
export const TAKEN = 8;
/** ACTIVE while the submitter spins for a reply (or has just made a call), IDLE when it sleeps or went back to its event loop. */
export const SUBMITTER_STATE = 9;

export const BUSY = 0;
export const WAITING = 1;
export const IDLE = 0;
export const ACTIVE = 1;
export const TASK = 0;
export const SOON = 1;
export const VALUE = 0;
export const POSTED = 1;

/** Where the encoded arguments, then the encoded result, are (bytes). */
export const DATA_START = 64;
/** The size of a channel: calls and results that encode to more go through the port. */
export const CHANNEL_BYTES = 16 * 1024;

/** True when seq `a` comes after seq `b` (seqs are int32 and wrap around). */
export function isLater(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** A new channel's buffer, made by the submitting side. */
export function createChannel(): SharedArrayBuffer {
  return new SharedArrayBuffer(CHANNEL_BYTES);
}

/** Below this (ms), a spin window counts as closed. */
const MIN_WINDOW = 0.002;
/** While the window is closed, one wait in this many spins for the full window; doubled after each probe that fails. */
const PROBE_EVERY = 16;
const PROBE_EVERY_MAX = 1024;

/**
 * How long to spin (or poll) for the other thread before sleeping, adapted
 * to what spinning has been worth lately, as adaptive mutexes do: a round
 * trip between two threads that both have a core takes a few microseconds,
 * far less than a futex sleep and wake-up; but when the other thread has no
 * core (a busy machine), spinning only delays it, and it costs more than
 * the spin: the scheduler stops favouring a thread that burns its share,
 * so its own wake-ups come late. So the window doubles after a spin that
 * caught the other thread (to at least four times the wait it caught) and
 * halves after one that ran out: it stays open while most spins pay, and
 * closes when most do not. While it is closed, one wait in `probeEvery`
 * spins for the full window, to notice that spinning pays again; each
 * probe that fails doubles that interval, up to PROBE_EVERY_MAX.
 */
export class SpinBudget {
  readonly #max: number;
  #window: number;
  #waits = 0;
  #probeEvery = PROBE_EVERY;
  #probing = false;

  /** `max`: the longest spin, in ms. */
  constructor(max: number) {
    this.#max = max;
    this.#window = max;
  }

  /** The next spin's length in ms (0: do not spin). */
  next(): number {
    if (this.#window >= MIN_WINDOW) return this.#window;
    if (++this.#waits < this.#probeEvery) return 0;
    this.#waits = 0;
    this.#probing = true;
    return this.#max;
  }

  /** True when the spin next() allowed is a probe of a closed window. */
  get probing(): boolean {
    return this.#probing;
  }

  /** The spin caught the other thread after `elapsed` ms. */
  caught(elapsed: number): void {
    this.#probing = false;
    this.#probeEvery = PROBE_EVERY;
    this.#window = Math.min(this.#max, Math.max(2 * this.#window, 4 * elapsed, 2 * MIN_WINDOW));
  }

  /** The spin ran out. */
  missed(): void {
    if (this.#probing) {
      this.#probing = false;
      this.#probeEvery = Math.min(PROBE_EVERY_MAX, 2 * this.#probeEvery);
    }
    this.#window /= 2;
  }
}

type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

/** Atomics.waitAsync (in Node since 16; in TypeScript's lib from ES2024 only). */
export function waitAsync(words: Int32Array, index: number, value: number): WaitAsyncResult {
  return (Atomics as unknown as { waitAsync(words: Int32Array, index: number, value: number): WaitAsyncResult }).waitAsync(words, index, value);
}
