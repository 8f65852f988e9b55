// The messages between a pool and its workers, and the per-task state words
// they share.
//
// Each task in flight owns a slot of the pool's shared Int32Array; its word
// is `tag * 8 + state`, where the tag is unique to the task (mod 2^28), so a
// stale message about an earlier task in the same slot can never match.
// The main thread and the worker race for a queued task with one
// compareExchange each: the worker to start it (QUEUED -> RUNNING), the main
// thread to cancel it or move it to an idle worker (QUEUED -> CANCELLED).
// A running task whose future is cancelled with `running: true` is marked
// ABORT (RUNNING -> ABORT), which its AbortSignal reads; a finished one is
// marked DONE by its worker before the result is posted, so that neither an
// abort nor a kill after the grace period can hit the worker's next task.
import type { MessagePort } from 'node:worker_threads';
import type { FunctionSpec } from '../function-reference.js';

export const QUEUED = 0;
export const RUNNING = 1;
export const CANCELLED = 2;
export const ABORT = 3;
export const DONE = 4;
/** word = tag * STATES + state */
export const STATES = 8;
export const MAX_TAG = 2 ** 28 - 1;

/** A function the worker has not seen yet, defined before the tasks that use it. */
export interface FunctionDefinition {
  id: number;
  spec: FunctionSpec;
}

export interface TaskMessage {
  id: number;
  /** Index of the task's state word in the shared slots. */
  slot: number;
  /** tag * STATES: add a state to get the word. */
  word: number;
  fn: number;
  /** The arguments; for a chunk, a list of argument lists. */
  args: unknown[];
  chunk: boolean;
}

export type ToWorker =
  | { type: 'run'; defs: FunctionDefinition[] | null; tasks: TaskMessage[] }
  /** Cooperative cancellation of a running task (grace: seconds before a process proxy kills its child). */
  | { type: 'abort'; id: number; grace: number }
  /** A process proxy ends its child, then itself (shutdown, or a broken pool). */
  | { type: 'close' };

export type FromWorker =
  | { type: 'done'; id: number; ok: true; value: unknown }
  | { type: 'done'; id: number; ok: false; error: unknown }
  | { type: 'init-failed'; error: unknown }
  /** A process proxy's child died: the pool is broken. */
  | { type: 'died'; message: string };

/** How a worker thread's bootstrap finds its entry module. */
export interface Boot {
  entry: string;
  /** URL of tsx's ESM API, registered first (source mode: our own modules are TypeScript). */
  tsx: string | null;
}

/** workerData of a pool's worker thread (a thread worker, or a process proxy). */
export interface PoolWorkerData {
  boot: Boot;
  port: MessagePort;
  /** The pool owner's wake word: notified after each message posted to it. */
  wake: Int32Array;
  slots: Int32Array;
  initializer: FunctionDefinition | null;
  initargs: unknown[];
  /** Process pools: how to start the child. */
  child?: ChildOptions;
}

export interface ChildOptions {
  boot: Boot;
  execArgv: string[];
  maxTasksPerChild: number | null;
}
