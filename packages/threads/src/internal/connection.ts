// The submitting side of one port to a loop thread: sends calls, settles
// their futures from the replies, runs the loop's calls back into this
// thread (the portal), and fails everything pending when the loop exits.
//
// Replies arrive two ways: as 'message' events while this thread's event
// loop runs (await future), or drained by hand with receiveMessageOnPort()
// while it blocks in result() (executors' blockUntil drains every registered
// ResultSource, sleeping on this thread's wake word between drains).
// Each call has its own id and a reply settles only the future of that id,
// so a reply that arrives after its result(timeout) timed out settles that
// same future, never a later call's.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { addResultSource, notifyWake, removeResultSource, wakeWord, type ResultSource } from '@asyncio-ts/executors';
import { BrokenLoopThread } from '../errors.js';
import { RemoteFuture, type RemoteFutureOwner } from '../remote-future.js';
import { resolveFunction } from './function-spec.js';
import { FunctionTable } from './load-function.js';
import { EXITED, handlePorts, type CallMessage, type FromLoop, type ToLoop } from './protocol.js';
import { deserializeError, serializeError } from './remote-error.js';

/** How long result() spins before it sleeps, in ms. */
const SPIN_MS = 0.05;

export class Connection implements ResultSource, RemoteFutureOwner {
  readonly loopId: number;
  readonly #port: MessagePort;
  readonly #state: Int32Array;
  readonly #pending = new Map<number, RemoteFuture>();
  readonly #sent = new Set<number>();
  readonly #functions = new FunctionTable();
  /** The loop's wake word for replies to its portal calls; null when it polls its port. */
  readonly #loopWake: Int32Array | null;
  #nextId = 1;
  #failure: Error | null = null;
  #registered = false;
  #closed = false;

  constructor(port: MessagePort, state: Int32Array, loopId: number, options: { hello: boolean; loopWake?: Int32Array | null }) {
    this.#port = port;
    this.#state = state;
    this.loopId = loopId;
    this.#loopWake = options.loopWake ?? null;
    port.on('message', (message: FromLoop) => this.#handle(message));
    port.on('close', () => this.#checkExited(true));
    port.unref();
    if (options.hello) this.#post({ type: 'hello', wake: wakeWord() });
  }

  /** Number of calls in flight. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Sends `fn(...args)` to the loop; its RemoteFuture settles from the reply. */
  submit<T>(method: string, fn: unknown, args: unknown[], mode: 'task' | 'soon'): RemoteFuture<T> {
    const reference = resolveFunction(method, fn);
    this.#checkExited(false);
    if (this.#failure !== null) throw this.#failure;
    const id = this.#nextId++;
    const future = new RemoteFuture<T>(this, id);
    const first = !this.#sent.has(reference.id);
    const message: CallMessage = { type: 'call', id, mode, fn: reference.id, def: first ? reference : null, args };
    try {
      this.#port.postMessage(message, handlePorts(args));
    } catch (error) {
      throw new TypeError(`${method}: the arguments cannot be sent to the loop thread (they are structured-cloned): ${(error as Error).message}`, { cause: error });
    }
    if (first) this.#sent.add(reference.id);
    this.#track(id, future as RemoteFuture);
    return future;
  }

  cancelRemote(id: number): void {
    if (this.#pending.delete(id)) {
      this.#post({ type: 'cancel', id });
      this.#untrackIfIdle();
    }
  }

  /**
   * Waits for `isDone()` by spinning up to SPIN_MS before a blocking wait
   * would sleep: a round trip to a loop thread often takes less than a
   * futex sleep and wake-up, so a short spin saves most of the wait. Spins on
   * the wake word (the loop bumps it after each reply) and drains on a change.
   */
  spin(isDone: () => boolean): void {
    const wake = wakeWord();
    let seen = Atomics.load(wake, 0);
    const end = performance.now() + SPIN_MS;
    while (!isDone()) {
      const now = Atomics.load(wake, 0);
      if (now !== seen) {
        seen = now;
        this.drain();
      } else if (performance.now() > end) return;
    }
  }

  /** Hands the loop the far end of a new handle's port (primary connection only). */
  attach(port: MessagePort): void {
    this.#port.postMessage({ type: 'attach', port } satisfies ToLoop, [port]);
  }

  /** Asks the loop to stop (primary connection only). */
  stop(): void {
    this.#post({ type: 'stop' });
  }

  /** Pulls and handles every message that has arrived (ResultSource). */
  drain(): void {
    const exited = Atomics.load(this.#state, 0) >= EXITED;
    while (!this.#closed) {
      const received = receiveMessageOnPort(this.#port);
      if (received === undefined) break;
      this.#handle(received.message as FromLoop);
    }
    // Read before draining: whatever the loop posted before it exited has been handled.
    if (exited) this.fail(new BrokenLoopThread('the loop thread exited while this work was pending; it will never complete'));
  }

  /** Fails every pending future, and every later submit, with `error`. */
  fail(error: Error): void {
    this.#failure ??= error;
    const futures = [...this.#pending.values()];
    this.#pending.clear();
    this.#untrackIfIdle();
    for (const future of futures) if (!future.done()) future.setException(this.#failure);
  }

  /** Closes the port; pending futures fail. */
  close(reason: Error): void {
    this.fail(reason);
    this.#closed = true;
    this.#port.close();
  }

  #checkExited(closed: boolean): void {
    if (closed) {
      // Messages that came before the close were delivered as events; and
      // receiveMessageOnPort() on a closed port crashes Node 20 (segfault).
      this.#closed = true;
      this.fail(new BrokenLoopThread('the loop thread closed its connection (it stopped or died) while this work was pending; it will never complete'));
    } else if (Atomics.load(this.#state, 0) >= EXITED) this.drain();
  }

  #handle(message: FromLoop): void {
    if (message.type === 'call') {
      this.#runPortalCall(message);
      return;
    }
    const future = this.#pending.get(message.id);
    // Unknown ids: calls cancelled here, or failed when the loop broke.
    if (future === undefined) return;
    this.#pending.delete(message.id);
    this.#untrackIfIdle();
    if (future.done()) return;
    if (message.ok) future.setResult(message.value);
    else future.setException(deserializeError(message.error));
  }

  /** The loop calls a function on this thread: run it, reply with its outcome. */
  #runPortalCall(message: CallMessage): void {
    const reply = (ok: boolean, value: unknown) => {
      const out: ToLoop = ok ? { type: 'done', id: message.id, ok: true, value } : { type: 'done', id: message.id, ok: false, error: serializeError(value) };
      try {
        this.#post(out);
      } catch (error) {
        this.#post({ type: 'done', id: message.id, ok: false, error: serializeError(error) });
      }
    };
    try {
      const loaded = this.#functions.get(message.fn, message.def);
      const value = loaded instanceof Promise ? loaded.then((fn) => fn(...message.args)) : loaded(...message.args);
      if (value instanceof Promise || (typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function')) {
        Promise.resolve(value).then((result) => reply(true, result), (error: unknown) => reply(false, error));
      } else reply(true, value);
    } catch (error) {
      reply(false, error);
    }
  }

  #post(message: ToLoop): void {
    this.#port.postMessage(message);
    if (this.#loopWake !== null) notifyWake(this.#loopWake);
  }

  #track(id: number, future: RemoteFuture): void {
    this.#pending.set(id, future);
    if (!this.#registered) {
      this.#registered = true;
      addResultSource(this);
      // Keep the process alive while work is in flight, so that `await future` resolves.
      this.#port.ref();
    }
  }

  #untrackIfIdle(): void {
    if (this.#registered && this.#pending.size === 0) {
      this.#registered = false;
      removeResultSource(this);
      this.#port.unref();
    }
  }
}
