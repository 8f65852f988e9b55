// The entry of a ProcessPoolExecutor's child process: runs the calls its
// proxy thread sends over IPC. A child shares no memory with the pool, so a
// cancellation arrives as a message (see process-proxy.ts).
import type { FunctionDefinition, ToWorker } from '../internal/protocol.js';
import { Runner } from '../internal/runner.js';

type FromProxy = ToWorker | { type: 'init'; initializer: FunctionDefinition | null; initargs: unknown[] };

const aborted = new Set<number>();

const runner = new Runner({
  post(message) {
    process.send!(message);
  },
  claim() {
    return true;
  },
  finished(task) {
    aborted.delete(task.id);
  },
  abortRequested(task) {
    return aborted.has(task.id);
  },
  poll() {
    return undefined;
  },
});

// The pool's process is gone (or replaced this child): end with it.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: FromProxy) => {
  if (message.type === 'init') {
    void runner.start(message.initializer, message.initargs);
    return;
  }
  if (message.type === 'abort') aborted.add(message.id);
  runner.receive(message);
});
