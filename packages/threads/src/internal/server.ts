// The loop side of one port: runs the calls it receives on this thread's
// event loop (coroutine functions as tasks, callbacks soon), replies with
// their outcomes, cancels on request, and sends portal calls back.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { CancelledError, Future, isThenable, type BaseEventLoop, type Handle, type Task } from '@asyncio-ts/core';
import { notifyWake } from '@asyncio-ts/executors';
import { resolveFunction } from './function-spec.js';
import { FunctionTable } from './load-function.js';
import { handlePorts, type CallMessage, type FromLoop, type ReplyMessage, type ToLoop } from './protocol.js';
import { deserializeError, serializeError } from './remote-error.js';

/** How long the loop polls its port for the next request after a reply, in ms. */
const POLL_MS = 0.05;

export class Server {
  readonly #loop: BaseEventLoop;
  readonly #port: MessagePort;
  #wake: Int32Array | null;
  readonly #functions = new FunctionTable();
  readonly #running = new Map<number, Task<unknown> | Handle>();
  readonly #portal = new Map<number, Future<unknown>>();
  readonly #sent = new Set<number>();
  #nextPortalId = 1;
  #polling = false;
  readonly #control: ((message: ToLoop) => void) | null;

  constructor(loop: BaseEventLoop, port: MessagePort, wake: Int32Array | null, control: ((message: ToLoop) => void) | null = null) {
    this.#loop = loop;
    this.#control = control;
    this.#port = port;
    this.#wake = wake;
    port.on('message', (message: ToLoop) => this.#receive(message));
  }

  get wake(): Int32Array | null {
    return this.#wake;
  }

  close(): void {
    this.#port.close();
  }

  /** Calls `fn(...args)` on the thread at the other end of this port; a loop Future of its result. */
  callOtherSide<T>(method: string, fn: unknown, args: unknown[]): Future<T> {
    const reference = resolveFunction(method, fn);
    const future = this.#loop.createFuture() as Future<T>;
    const id = this.#nextPortalId++;
    const first = !this.#sent.has(reference.id);
    this.#post({ type: 'call', id, mode: 'portal', fn: reference.id, def: first ? reference : null, args });
    if (first) this.#sent.add(reference.id);
    this.#portal.set(id, future as Future<unknown>);
    return future;
  }

  #receive(message: ToLoop): void {
    switch (message.type) {
      case 'hello':
        this.#wake = message.wake;
        return;
      case 'call':
        if (this.#loop.isClosed()) return;
        this.#loop.callSoonThreadsafe(() => this.#call(message));
        return;
      case 'cancel':
        if (!this.#loop.isClosed()) this.#loop.callSoonThreadsafe(() => this.#running.get(message.id)?.cancel());
        return;
      case 'done':
        this.#settlePortal(message);
        return;
      default:
        // 'stop' and 'attach' arrive on the primary port only; the entry handles them
        // (here too when #pollBriefly() took them off the port).
        this.#control?.(message);
        return;
    }
  }

  #call(message: CallMessage): void {
    const loaded = this.#functions.get(message.fn, message.def);
    if (loaded instanceof Promise) {
      loaded.then(
        (fn) => this.#loop.callSoon(() => this.#start(message, fn)),
        (error: unknown) => this.#reply(message.id, false, error),
      );
    } else this.#start(message, loaded);
  }

  #start(message: CallMessage, fn: (...args: unknown[]) => unknown): void {
    const { id, args } = message;
    if (message.mode === 'soon') {
      this.#running.set(
        id,
        this.#loop.callSoon(() => {
          this.#running.delete(id);
          let value: unknown;
          try {
            value = fn(...args);
          } catch (error) {
            this.#reply(id, false, error);
            return;
          }
          // A callback that returns a promise (an async function) replies when it settles.
          if (isThenable(value)) Promise.resolve(value).then((result) => this.#reply(id, true, result), (error: unknown) => this.#reply(id, false, error));
          else this.#reply(id, true, value);
        }),
      );
      return;
    }
    const task = this.#loop.createTask(() => fn(...args) as never);
    this.#running.set(id, task);
    task.addDoneCallback(() => {
      this.#running.delete(id);
      if (task.cancelled()) this.#reply(id, false, new CancelledError('the task was cancelled on the loop thread'));
      else {
        const error = task.exception();
        if (error !== null && error !== undefined) this.#reply(id, false, error);
        else this.#reply(id, true, task.result());
      }
      this.#pollBriefly();
    });
  }

  #settlePortal(message: ReplyMessage): void {
    const future = this.#portal.get(message.id);
    if (future === undefined) return;
    this.#portal.delete(message.id);
    if (future.done()) return;
    if (message.ok) future.setResult(message.value);
    else future.setException(deserializeError(message.error));
  }

  #reply(id: number, ok: boolean, value: unknown): void {
    try {
      this.#post(ok ? { type: 'done', id, ok: true, value } : { type: 'done', id, ok: false, error: serializeError(value) }, ok ? handlePorts([value]) : undefined);
    } catch (error) {
      this.#post({ type: 'done', id, ok: false, error: serializeError(new TypeError(`the result cannot be sent back from the loop thread (it is structured-cloned): ${(error as Error).message}`)) });
    }
  }

  #post(message: FromLoop, transferList?: MessagePort[]): void {
    this.#port.postMessage(message, transferList);
    // After the post: a submitter blocked in result() wakes and drains its port.
    if (this.#wake !== null) notifyWake(this.#wake);
  }

  /**
   * After a reply, a submitter that blocks call after call sends its next
   * request within microseconds: polling the port for a moment takes it in
   * without waiting for the event loop to deliver it (a wake-up of this
   * thread costs more than the whole round trip otherwise).
   */
  #pollBriefly(): void {
    if (this.#polling) return;
    this.#polling = true;
    const end = performance.now() + POLL_MS;
    try {
      do {
        const received = receiveMessageOnPort(this.#port);
        if (received !== undefined) {
          this.#receive(received.message as ToLoop);
          return;
        }
      } while (performance.now() < end);
    } finally {
      this.#polling = false;
    }
  }
}
