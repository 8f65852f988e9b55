// The supervisor thread (see internal/supervision.ts): starts pool workers,
// reports each exit to the owning thread, terminates them on request, and
// kills a worker whose running task ignored its cancellation too long.
import { Worker, workerData } from 'node:worker_threads';
import { threadBootstrap } from '../entries.js';
import { notifyWake } from '../internal/blocking.js';
import { serializeError } from '../internal/remote-error.js';
import type { ExitReason, FromSupervisor, SupervisorData, ToSupervisor } from '../internal/supervision.js';

const { port, wake } = workerData as SupervisorData;

interface Supervised {
  worker: Worker;
  reason: ExitReason | null;
  error: unknown;
}

const workers = new Map<number, Supervised>();

function report(message: FromSupervisor): void {
  port.postMessage(message);
  notifyWake(wake);
}

port.on('message', (message: ToSupervisor) => {
  switch (message.type) {
    case 'spawn': {
      const worker = new Worker(threadBootstrap, {
        eval: true,
        workerData: { ...message.workerData, boot: message.boot },
        transferList: message.transferList as never,
        execArgv: message.execArgv,
        ...(message.resourceLimits === undefined ? {} : { resourceLimits: message.resourceLimits }),
      });
      const entry: Supervised = { worker, reason: null, error: null };
      workers.set(message.key, entry);
      worker.on('error', (error) => {
        entry.error = error;
      });
      worker.on('exit', (code) => {
        workers.delete(message.key);
        report({ type: 'exit', key: message.key, code, reason: entry.reason ?? 'died', error: entry.error === null ? null : serializeError(entry.error) });
      });
      break;
    }
    case 'terminate': {
      const entry = workers.get(message.key);
      if (entry === undefined) break;
      entry.reason ??= 'terminated';
      if (message.grace === 0) void entry.worker.terminate();
      else setTimeout(() => void entry.worker.terminate(), message.grace * 1000);
      break;
    }
    case 'kill-after': {
      const { key, slots, slot, word } = message;
      setTimeout(() => {
        const entry = workers.get(key);
        // Still running the task that was asked to stop: it ignored its signal.
        if (entry === undefined || entry.reason !== null || Atomics.load(slots, slot) !== word) return;
        entry.reason = 'killed';
        void entry.worker.terminate();
      }, Math.min(message.grace * 1000, 2 ** 31 - 1));
      break;
    }
  }
});
