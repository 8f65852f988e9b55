// The proxy thread of one ProcessPoolExecutor worker: to its pool it looks
// like a thread worker (same port, same shared state words); it starts a
// child process and hands it one call at a time over IPC.
//
// Why a thread in between: the pool's owner may block in result(), when
// only MessagePorts can be read (receiveMessageOnPort) and only shared
// memory can wake it. The proxy relays each result to the port and notifies
// the owner's wake word, and it watches its child: an abrupt exit breaks the
// pool at once; a call that ignores its cancellation past the grace period
// gets its child killed and replaced.
import { spawn, type ChildProcess } from 'node:child_process';
import { workerData } from 'node:worker_threads';
import { childBootstrap } from '../entries.js';
import { CancelledError } from '../errors.js';
import { notifyWake } from '../internal/blocking.js';
import { DONE, QUEUED, RUNNING, type FromWorker, type FunctionDefinition, type PoolWorkerData, type TaskMessage, type ToWorker } from '../internal/protocol.js';
import { serializeError } from '../internal/remote-error.js';

const { port, wake, slots, initializer, initargs, child: options } = workerData as Required<PoolWorkerData>;

const definitions = new Map<number, FunctionDefinition>();
const queue: TaskMessage[] = [];
let child: ChildProcess | null = null;
let sent = new Set<number>();
let running: TaskMessage | null = null;
let runs = 0;
let killTimer: NodeJS.Timeout | null = null;

function toPool(message: FromWorker): void {
  port.postMessage(message);
  notifyWake(wake);
}

function startChild(): void {
  const started = spawn(process.execPath, [...options.execArgv, '--input-type=module', '-e', childBootstrap, JSON.stringify(options.boot)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  child = started;
  sent = new Set();
  runs = 0;
  started.on('message', (message: FromWorker) => {
    if (started === child) fromChild(message);
  });
  started.on('error', (error) => {
    if (started === child) died(`A child process could not be started (${error.message}), the process pool is not usable anymore`);
  });
  started.on('exit', (code, signal) => {
    if (started !== child) return;
    const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
    died(`A child process terminated abruptly (${how}), the process pool is not usable anymore`);
  });
  started.send({ type: 'init', initializer, initargs });
}

function died(message: string): void {
  child = null;
  toPool({ type: 'died', message });
}

/** Replaces the child on purpose (its exit is not a death): killed when stuck in a call, else let go. */
function replaceChild(kill: boolean): void {
  const old = child;
  child = null;
  if (kill) old?.kill('SIGKILL');
  else if (old?.connected === true) old.disconnect();
  startChild();
}

function fromChild(message: FromWorker): void {
  if (message.type !== 'done') {
    toPool(message);
    return;
  }
  const task = running;
  if (task === null || task.id !== message.id) return;
  finish(task);
  toPool(message);
  runs++;
  if (options.maxTasksPerChild !== null && runs >= options.maxTasksPerChild) replaceChild(false);
  pump();
}

function finish(task: TaskMessage): void {
  Atomics.store(slots, task.slot, task.word + DONE);
  running = null;
  if (killTimer !== null) clearTimeout(killTimer);
  killTimer = null;
}

/** Hands the next call to the child when it is free. */
function pump(): void {
  while (running === null && child !== null && queue.length > 0) {
    const task = queue.shift()!;
    if (Atomics.compareExchange(slots, task.slot, task.word + QUEUED, task.word + RUNNING) !== task.word + QUEUED) continue;
    const defs = sent.has(task.fn) ? null : [definitions.get(task.fn)!];
    running = task;
    try {
      child.send({ type: 'run', defs, tasks: [task] } satisfies ToWorker);
      sent.add(task.fn);
    } catch (error) {
      finish(task);
      const reason = error instanceof Error ? error.message : String(error);
      toPool({ type: 'done', id: task.id, ok: false, error: serializeError(new TypeError(`The arguments cannot be sent to a child process: ${reason}`, { cause: error })) });
    }
  }
}

function abort(id: number, grace: number): void {
  if (running?.id !== id || child === null) return;
  child.send({ type: 'abort', id, grace } satisfies ToWorker);
  if (grace === Infinity) return;
  killTimer = setTimeout(() => {
    const task = running;
    if (task?.id !== id) return;
    // The call ignored its cancellation: kill the child, start another.
    finish(task);
    toPool({ type: 'done', id, ok: false, error: serializeError(new CancelledError('the call ignored its cancellation; its child process was killed')) });
    replaceChild(true);
    pump();
  }, Math.min(grace * 1000, 2 ** 31 - 1));
}

/** Ends the child (politely when idle), waits for it to exit, then ends this thread. */
function close(): void {
  const last = child;
  child = null;
  if (last === null || last.exitCode !== null || last.signalCode !== null) process.exit(0);
  last.once('exit', () => process.exit(0));
  if (running === null && last.connected) last.disconnect();
  else last.kill('SIGKILL');
  setTimeout(() => last.kill('SIGKILL'), 1000).unref();
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') {
    if (message.defs !== null) for (const definition of message.defs) definitions.set(definition.id, definition);
    queue.push(...message.tasks);
    pump();
  } else if (message.type === 'abort') {
    abort(message.id, message.grace);
  } else {
    close();
  }
});

startChild();
