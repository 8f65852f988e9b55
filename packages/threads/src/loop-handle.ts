/**
 * LoopHandle and runCoroutineThreadsafe(): submitting to a loop in another
 * thread from any thread.
 *
 * Differences from asyncio: a loop object cannot cross threads in
 * JavaScript, so run_coroutine_threadsafe(coro, loop) takes a LoopHandle,
 * a plain object around a MessagePort that can be posted to other threads
 * (put `handle.port` in the transfer list), and the coroutine as a function
 * reference with its arguments.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { WorkerArgs, WorkerResult } from '@asyncio-ts/executors';
import { RuntimeError } from '@asyncio-ts/executors';
import { Connection } from './internal/connection.js';
import { show } from './internal/function-spec.js';
import { loopContext } from './internal/loop-context.js';
import type { RemoteFuture } from './remote-future.js';

/**
 * A loop thread's address, for any thread: post it to a worker with
 * `worker.postMessage({ loop: handle }, [handle.port])`. One thread uses a
 * handle at a time (its port moves with it); make one handle per thread.
 */
export interface LoopHandle {
  readonly kind: 'asyncio-ts.loop-handle';
  /** The id of the loop's thread (its threadId). */
  readonly loopId: number;
  /** The connection to the loop; transfer it with the handle. */
  readonly port: MessagePort;
  /** The loop's shared state word (running, exited). */
  readonly state: Int32Array;
}

/** Anything runCoroutineThreadsafe() can submit to: a LoopHandle, or a LoopThread. */
export interface LoopTarget {
  runCoroutine<F>(fn: F, ...args: WorkerArgs<F>): RemoteFuture<WorkerResult<F>>;
}

const connections = new WeakMap<MessagePort, Connection>();

/** True when `value` is a LoopHandle (also after a structured clone). */
export function isLoopHandle(value: unknown): value is LoopHandle {
  return typeof value === 'object' && value !== null && (value as LoopHandle).kind === 'asyncio-ts.loop-handle';
}

/**
 * Runs `fn(...args)` as a task on the loop behind `loop` and returns a
 * concurrent Future of its result (asyncio.run_coroutine_threadsafe).
 * `fn` is a coroutine function (async or `function*`), self-contained or a
 * module reference `{ module, export }`; arguments and result are
 * structured-cloned.
 * @throws TypeError when `loop` is not a LoopHandle or LoopThread, or `fn`
 *   cannot cross a thread; BrokenLoopThread when the loop's thread has exited.
 * @example
 * const future = runCoroutineThreadsafe(async (n: number) => n * 2, handle, 21);
 * future.result(5); // 42
 */
export function runCoroutineThreadsafe<F>(fn: F, loop: LoopHandle | LoopTarget, ...args: WorkerArgs<F>): RemoteFuture<WorkerResult<F>> {
  if (!isLoopHandle(loop)) {
    if (typeof loop === 'object' && loop !== null && typeof (loop as LoopTarget).runCoroutine === 'function') return (loop as LoopTarget).runCoroutine(fn, ...args);
    throw new TypeError(`runCoroutineThreadsafe(fn, loop) expects a LoopHandle (loopThread.handle(), getLoopHandle()) or a LoopThread as loop, got ${show(loop)}`);
  }
  return connectionFor(loop).submit('runCoroutineThreadsafe()', fn, args, 'task');
}

function connectionFor(handle: LoopHandle): Connection {
  let connection = connections.get(handle.port);
  if (connection === undefined) {
    connection = new Connection(handle.port, handle.state, handle.loopId, { hello: true });
    connections.set(handle.port, connection);
  }
  return connection;
}

/**
 * A new handle to the loop of this thread, when this thread is a
 * LoopThread's worker: code on the loop can pass it to other threads.
 * @throws RuntimeError on a thread that runs no LoopThread loop.
 */
export function getLoopHandle(): LoopHandle {
  const context = loopContext();
  if (context === null) throw new RuntimeError('getLoopHandle() is called outside a LoopThread; on the thread that started one, use loopThread.handle()');
  const { port1, port2 } = new MessageChannel();
  context.serve(port2);
  return { kind: 'asyncio-ts.loop-handle', loopId: context.loopId, port: port1, state: context.state };
}
