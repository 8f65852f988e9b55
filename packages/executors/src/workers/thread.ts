// The entry of a ThreadPoolExecutor's worker thread: runs the tasks its
// pool sends on its port, claiming each through the shared state words.
import { receiveMessageOnPort, workerData, type TransferListItem } from 'node:worker_threads';
import { notifyWake } from '../internal/blocking.js';
import { ABORT, DONE, QUEUED, RUNNING, type PoolWorkerData, type ToWorker } from '../internal/protocol.js';
import { Runner } from '../internal/runner.js';

const { port, wake, slots, initializer, initargs } = workerData as PoolWorkerData;

const runner = new Runner({
  post(message, transferList) {
    port.postMessage(message, transferList as TransferListItem[] | undefined);
    // After the post: a pool owner blocked in result() wakes and drains.
    notifyWake(wake);
  },
  claim(task) {
    return Atomics.compareExchange(slots, task.slot, task.word + QUEUED, task.word + RUNNING) === task.word + QUEUED;
  },
  finished(task) {
    Atomics.store(slots, task.slot, task.word + DONE);
  },
  abortRequested(task) {
    return Atomics.load(slots, task.slot) === task.word + ABORT;
  },
  poll() {
    return receiveMessageOnPort(port)?.message as ToWorker | undefined;
  },
});

port.on('message', (message: ToWorker) => runner.receive(message));
void runner.start(initializer, initargs);
