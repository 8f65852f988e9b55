export {
  BrokenExecutor,
  BrokenProcessPool,
  BrokenThreadPool,
  CancelledError,
  FuturesError,
  InvalidStateError,
  RuntimeError,
  TimeoutError,
} from './errors.js';
export { CANCELLED, FINISHED, Future, isConcurrentFuture, PENDING, RUNNING, type CancelOptions, type FutureState } from './future.js';
export { Executor, type IterablesFor, type MapOptions, type ShutdownOptions } from './executor.js';
export { MapIterator } from './map.js';
export { ThreadPoolExecutor, type ThreadPoolExecutorOptions } from './thread-pool.js';
export { ProcessPoolExecutor, type ProcessPoolExecutorOptions } from './process-pool.js';
export {
  ALL_COMPLETED,
  AsCompleted,
  asCompleted,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  wait,
  type AsCompletedOptions,
  type DoneAndNotDoneFutures,
  type ReturnWhen,
  type WaitOptions,
} from './wait.js';
export {
  type AnyFunction,
  type ModuleReference,
  type WorkerArgs,
  type WorkerContext,
  type WorkerFunction,
  type WorkerResult,
} from './function-reference.js';
export { transfer } from './transfer.js';
export { addResultSource, removeResultSource, wakeWord, notifyWake, type ResultSource } from './internal/blocking.js';
