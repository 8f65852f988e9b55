// The submitting side of one port to a loop thread: sends calls, settles
// their futures from the replies, runs the loop's calls back into this
// thread (the portal), and fails everything pending when the loop exits.
//
// A call goes through the channel's slot (channel.ts) when the slot is free:
// inline when its function is known to the loop and its arguments are plain,
// else as a port message that the slot announces (so the loop, polling the
// slot, takes it in at once). Calls made while the slot is taken go through
// the port alone. Every message and slot call carries how many of the other
// kind came before it, and the loop takes them in that order.
//
// Replies arrive three ways: in the slot, as 'message' events while this
// thread's event loop runs (await future), or drained by hand with
// receiveMessageOnPort() while it blocks in result() (executors' blockUntil
// drains every registered ResultSource, sleeping on this thread's wake word
// between drains). A slot reply nobody blocks for is picked up by a watcher
// that waits on the wake word with Atomics.waitAsync.
// Each call has its own id and a reply settles only the future of that id,
// so a reply that arrives after its result(timeout) timed out settles that
// same future, never a later call's.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { addResultSource, notifyWake, removeResultSource, wakeWord, type ResultSource } from '@asyncio-ts/executors';
import { BrokenLoopThread } from '../errors.js';
import { RemoteFuture, type RemoteFutureOwner } from '../remote-future.js';
import {
  ACTIVE,
  CALL_FUNCTION,
  CALL_ID,
  CALL_MODE,
  CALL_PORT_CALLS,
  CHANNEL_BYTES,
  DATA_START,
  IDLE,
  LOOP_STATE,
  REPLY,
  REPLY_KIND,
  REQUEST,
  SOON,
  SUBMITTER_STATE,
  TAKEN,
  TASK,
  VALUE,
  WAITING,
  SpinBudget,
  createChannel,
  waitAsync,
} from './channel.js';
import { resolveFunction } from './function-spec.js';
import { FunctionTable } from './load-function.js';
import { PlainCodec } from './plain-codec.js';
import { EXITED, handlePorts, type CallMessage, type FromLoop, type ToLoop } from './protocol.js';
import { deserializeError, serializeError } from './remote-error.js';

/** The longest result() spins before it sleeps, in ms (SpinBudget adapts it). */
const SPIN_MS = 0.1;
/**
 * How long result() spins for the loop thread to take a slot call in, before
 * it sleeps, in ms; a probe of a closed window waits its whole length, since
 * a loop thread that slept in its event loop (on an idle VM, a halted vCPU)
 * takes tens of microseconds to wake.
 */
const TAKE_MS = 0.02;
/** Spins read the clock once every CLOCK_EVERY + 1 turns (it costs more than a turn). */
const CLOCK_EVERY = 15;

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
  /** The channel's words, and its data region's codec; null once the connection failed. */
  #slot: Int32Array | null;
  readonly #codec: PlainCodec;
  /** Calls written into the slot so far (the seq of the last one). */
  #slotCalls = 0;
  /** The id of the call in the slot, until its reply is taken; 0 when the slot is free. */
  #slotId = 0;
  /** Call messages posted on the port so far. */
  #portCalls = 0;
  readonly #spin = new SpinBudget(SPIN_MS);

  /**
   * `channel`: the shared-memory channel, made by LoopThread for its primary
   * connection; a connection that says hello makes its own and sends it.
   */
  constructor(port: MessagePort, state: Int32Array, loopId: number, options: { hello: boolean; channel?: SharedArrayBuffer; loopWake?: Int32Array | null }) {
    this.#port = port;
    this.#state = state;
    this.loopId = loopId;
    this.#loopWake = options.loopWake ?? null;
    const channel = options.channel ?? createChannel();
    this.#slot = new Int32Array(channel);
    this.#codec = new PlainCodec(channel, DATA_START, CHANNEL_BYTES);
    port.on('message', (message: FromLoop) => this.#handle(message));
    port.on('close', () => this.#checkExited(true));
    port.unref();
    if (options.hello) this.#post({ type: 'hello', wake: wakeWord(), channel });
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
    this.takeSlotReply();
    const slot = this.#slotId === 0 ? this.#slot : null;
    const first = !this.#sent.has(reference.id);
    if (slot !== null && !first && this.#codec.encode(args) >= 0) {
      // Inline: the words and the encoded arguments, then REQUEST.
      slot[CALL_ID] = id;
      slot[CALL_FUNCTION] = reference.id;
      slot[CALL_MODE] = mode === 'task' ? TASK : SOON;
      slot[CALL_PORT_CALLS] = this.#portCalls;
      this.#track(id, future as RemoteFuture);
      this.#announce(slot, id);
      return future;
    }
    const message: CallMessage = { type: 'call', id, mode, fn: reference.id, def: first ? reference : null, args, slotCalls: this.#slotCalls };
    // Announced in the slot when it is free, so that the loop takes it in at once and replies there.
    if (slot !== null) message.slot = (this.#slotCalls + 1) | 0;
    try {
      this.#port.postMessage(message, handlePorts(args));
    } catch (error) {
      throw new TypeError(`${method}: the arguments cannot be sent to the loop thread (they are structured-cloned): ${(error as Error).message}`, { cause: error });
    }
    this.#portCalls++;
    if (first) this.#sent.add(reference.id);
    this.#track(id, future as RemoteFuture);
    if (slot !== null) {
      // CALL_ID 0: the call is the port message that CALL_PORT_CALLS counts last.
      slot[CALL_ID] = 0;
      slot[CALL_PORT_CALLS] = this.#portCalls;
      this.#announce(slot, id);
    }
    return future;
  }

  cancelRemote(id: number): void {
    if (this.#pending.delete(id)) {
      this.#post({ type: 'cancel', id, slotCalls: this.#slotCalls });
      this.#untrackIfIdle();
    }
  }

  /**
   * Waits for `isDone()` by spinning before a blocking wait would sleep: a
   * round trip to a loop thread that has a core of its own takes a few
   * microseconds, less than a futex sleep and wake-up. For a call in the
   * slot, it spins only while the loop thread shows progress: when it has
   * not taken the call in within TAKE_MS, it has no core (or sleeps in its
   * event loop) and spinning would only take a core from it. Spins on the
   * wake word (the loop bumps it after each reply) and drains on a change.
   */
  spin(isDone: () => boolean, id: number): void {
    const slot = this.#slotId === id ? this.#slot : null;
    const window = this.#spin.next();
    if (window === 0) {
      // About to sleep: the loop thread need not poll for this thread's next call.
      if (slot !== null) Atomics.store(slot, SUBMITTER_STATE, IDLE);
      return;
    }
    const wake = wakeWord();
    let seen = Atomics.load(wake, 0);
    const clock = performance;
    const start = clock.now();
    let taken = slot === null || Atomics.load(slot, TAKEN) === this.#slotCalls;
    let end = start + (taken || this.#spin.probing ? window : Math.min(window, TAKE_MS));
    for (let turn = 1; !isDone(); turn++) {
      const now = Atomics.load(wake, 0);
      if (now !== seen) {
        seen = now;
        this.drain();
      } else if (!taken && Atomics.load(slot!, TAKEN) === this.#slotCalls) {
        taken = true;
        end = start + window;
      } else if ((turn & CLOCK_EVERY) === 0 && clock.now() > end) {
        this.#spin.missed();
        // Going to sleep: the loop thread need not poll for this thread's next call.
        if (slot !== null) Atomics.store(slot, SUBMITTER_STATE, IDLE);
        return;
      }
    }
    this.#spin.caught(clock.now() - start);
  }

  /** This thread went back to its event loop: the loop thread need not poll for its next call. */
  idle(): void {
    if (this.#slot !== null) Atomics.store(this.#slot, SUBMITTER_STATE, IDLE);
  }

  /** Hands the loop the far end of a new handle's port (primary connection only). */
  attach(port: MessagePort): void {
    this.#port.postMessage({ type: 'attach', port } satisfies ToLoop, [port]);
  }

  /** Asks the loop to stop (primary connection only). */
  stop(): void {
    this.#post({ type: 'stop', slotCalls: this.#slotCalls });
  }

  /** Pulls and handles every reply and message that has arrived (ResultSource). */
  drain(): void {
    const exited = Atomics.load(this.#state, 0) >= EXITED;
    this.takeSlotReply();
    while (!this.#closed) {
      const received = receiveMessageOnPort(this.#port);
      if (received === undefined) break;
      this.#handle(received.message as FromLoop);
    }
    // Read before draining: whatever the loop posted before it exited has been handled.
    if (exited) this.fail(new BrokenLoopThread('the loop thread exited while this work was pending; it will never complete'));
  }

  /** True while a call in the slot waits for its reply. @internal */
  get slotBusy(): boolean {
    return this.#slotId !== 0;
  }

  /** Takes the slot's reply, when the loop has written it: the slot is free again. @internal */
  takeSlotReply(): void {
    const slot = this.#slot;
    if (this.#slotId === 0 || slot === null || Atomics.load(slot, REPLY) !== this.#slotCalls) return;
    const id = this.#slotId;
    this.#slotId = 0;
    // Else the reply is a 'done' message on the port, posted before REPLY moved, and handled by its id.
    if (slot[REPLY_KIND] === VALUE) this.#settle(id, true, this.#codec.decode());
  }

  /** Publishes the call written into the slot, and wakes the loop when it waits for one. */
  #announce(slot: Int32Array, id: number): void {
    this.#slotId = id;
    Atomics.store(slot, SUBMITTER_STATE, ACTIVE);
    this.#slotCalls = (this.#slotCalls + 1) | 0;
    Atomics.store(slot, REQUEST, this.#slotCalls);
    if (Atomics.load(slot, LOOP_STATE) === WAITING) Atomics.notify(slot, REQUEST);
    watchSlot(this);
  }

  /** Fails every pending future, and every later submit, with `error`. */
  fail(error: Error): void {
    this.#failure ??= error;
    // The loop is gone: nothing will reply in the slot.
    this.#slot = null;
    this.#slotId = 0;
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
    this.#settle(message.id, message.ok, message.ok ? message.value : message.error);
  }

  /** Settles the future of call `id` with its reply (`value`: the result, or the serialized error). */
  #settle(id: number, ok: boolean, value: unknown): void {
    const future = this.#pending.get(id);
    // Unknown ids: calls cancelled here, or failed when the loop broke.
    if (future === undefined) return;
    this.#pending.delete(id);
    this.#untrackIfIdle();
    if (future.done()) return;
    if (ok) future.setResult(value);
    else future.setException(deserializeError(value));
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

// Slot replies that nobody blocks for (the caller awaits, or forgot the
// future): once this thread is back in its event loop, a watcher waits on
// its wake word, which the loop bumps after each reply, and takes them.
// The connection's port is ref'd while its calls are pending, which keeps
// the process alive for it (Atomics.waitAsync does not).
const watched = new Set<Connection>();
let watching = false;

function watchSlot(connection: Connection): void {
  watched.add(connection);
  if (!watching) {
    watching = true;
    queueMicrotask(watchReplies);
  }
}

function watchReplies(): void {
  const wake = wakeWord();
  const seen = Atomics.load(wake, 0);
  for (const connection of watched) {
    // The slot only: port messages come as events now that this thread's event loop runs
    // (and a port since transferred to another thread must not be read here).
    connection.idle();
    connection.takeSlotReply();
    if (!connection.slotBusy) watched.delete(connection);
  }
  if (watched.size === 0) {
    watching = false;
    return;
  }
  const wait = waitAsync(wake, 0, seen);
  if (wait.async) void wait.value.then(watchReplies);
  else setImmediate(watchReplies);
}
