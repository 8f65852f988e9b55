// The messages between a thread and its supervisor: the worker thread that
// starts, watches and stops the thread's pool workers.
//
// Why a supervisor: a thread blocked in result() runs no event loop, so it
// would never see a worker's 'exit' event, and a worker that died (an
// uncaught error, process.exit(), out of memory) would leave it waiting
// forever. The supervisor's own event loop is never blocked by the pool's
// owner: it sees every exit, posts a report and notifies the owner's wake
// word, and a blocked owner drains the report like a result.
import type { MessagePort, ResourceLimits, TransferListItem } from 'node:worker_threads';
import type { Boot } from './protocol.js';

export type ToSupervisor =
  | {
      type: 'spawn';
      key: number;
      boot: Boot;
      workerData: Record<string, unknown>;
      transferList: TransferListItem[];
      execArgv: string[];
      resourceLimits: ResourceLimits | undefined;
    }
  /** End the worker; after `grace` seconds when it may end by itself first (a process proxy reaping its child). */
  | { type: 'terminate'; key: number; grace: number }
  /** Kill the worker after `grace` seconds if the task's word still reads `word` (its abort was ignored). */
  | { type: 'kill-after'; key: number; slots: Int32Array; slot: number; word: number; grace: number };

export type ExitReason = 'terminated' | 'killed' | 'died';

export type FromSupervisor = { type: 'exit'; key: number; code: number; reason: ExitReason; error: unknown };

export interface SupervisorData {
  boot: Boot;
  port: MessagePort;
  wake: Int32Array;
}
