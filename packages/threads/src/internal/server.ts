// The loop side of one connection: runs the calls it receives on this
// thread's event loop (coroutine functions as tasks, callbacks soon),
// replies with their outcomes, cancels on request, and sends portal calls
// back.
//
// Calls come on the port and through the channel's slot (channel.ts). The
// slot is watched with Atomics.waitAsync while the loop has nothing better
// to do, and polled for a moment after each slot reply: a submitter that
// blocks call after call writes its next one within microseconds, and
// taking it then costs far less than a wake-up of this thread. Port
// messages and slot calls carry how many of the other kind the submitter
// had sent before them, and are taken in that order (see #receive and
// #takeSlot), so calls start in the order they were made.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { CancelledError, Future, isThenable, type BaseEventLoop, type Handle, type Task } from '@asyncio-ts/core';
import { notifyWake } from '@asyncio-ts/executors';
import {
  ACTIVE,
  BUSY,
  CALL_FUNCTION,
  CALL_ID,
  CALL_MODE,
  CALL_PORT_CALLS,
  CHANNEL_BYTES,
  DATA_START,
  LOOP_STATE,
  POSTED,
  REPLY,
  REPLY_KIND,
  REQUEST,
  SUBMITTER_STATE,
  TAKEN,
  TASK,
  VALUE,
  WAITING,
  SpinBudget,
  isLater,
  waitAsync,
} from './channel.js';
import { resolveFunction } from './function-spec.js';
import { FunctionTable } from './load-function.js';
import { PlainCodec } from './plain-codec.js';
import { handlePorts, type CallMessage, type FromLoop, type ReplyMessage, type ToLoop } from './protocol.js';
import { deserializeError, serializeError } from './remote-error.js';

/** The longest the loop polls the slot for the next call after a slot reply, in ms (SpinBudget adapts it). */
const POLL_MS = 0.05;

export class Server {
  readonly #loop: BaseEventLoop;
  readonly #port: MessagePort;
  #wake: Int32Array | null;
  readonly #functions = new FunctionTable();
  readonly #running = new Map<number, { job: Task<unknown> | Handle; slot: number | undefined }>();
  readonly #portal = new Map<number, Future<unknown>>();
  readonly #sent = new Set<number>();
  #nextPortalId = 1;
  readonly #control: ((message: ToLoop) => void) | null;
  /** The channel's words and codec, once the submitter sent them. */
  #slot: Int32Array | null = null;
  #codec: PlainCodec | null = null;
  /** The seq of the last slot call taken in. */
  #slotSeen = 0;
  /** Call messages taken off the port so far. */
  #portCallsSeen = 0;
  /** True while an Atomics.waitAsync on REQUEST is pending. */
  #waiting = false;
  #closed = false;
  readonly #poll = new SpinBudget(POLL_MS);
  /** Calls waiting, in order, for a function to load; null when none is loading. */
  #loading: CallMessage[] | null = null;

  constructor(loop: BaseEventLoop, port: MessagePort, wake: Int32Array | null, channel: SharedArrayBuffer | null, control: ((message: ToLoop) => void) | null = null) {
    this.#loop = loop;
    this.#control = control;
    this.#port = port;
    this.#wake = wake;
    port.on('message', (message: ToLoop) => this.#receive(message));
    // The submitter's thread ended (or closed its end): nothing more comes.
    port.on('close', () => this.#release());
    if (channel !== null) this.#useChannel(channel);
  }

  get wake(): Int32Array | null {
    return this.#wake;
  }

  close(): void {
    this.#release();
    this.#port.close();
  }

  #release(): void {
    this.#closed = true;
    // Settle a pending waitAsync, so that it holds nothing.
    if (this.#waiting) Atomics.notify(this.#slot!, REQUEST);
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

  #useChannel(channel: SharedArrayBuffer): void {
    // A handle moved to another thread says hello again, with a channel of its own.
    if (this.#waiting) {
      this.#waiting = false;
      Atomics.notify(this.#slot!, REQUEST);
    }
    this.#slot = new Int32Array(channel);
    this.#codec = new PlainCodec(channel, DATA_START, CHANNEL_BYTES);
    this.#slotSeen = 0;
    this.#portCallsSeen = 0;
    this.#waitForSlot();
  }

  #receive(message: ToLoop): void {
    // The slot call the submitter made before this message goes first.
    const slotCalls = (message as { slotCalls?: number }).slotCalls;
    if (slotCalls !== undefined && isLater(slotCalls, this.#slotSeen)) this.#takeSlot();
    switch (message.type) {
      case 'hello':
        this.#wake = message.wake;
        this.#useChannel(message.channel);
        return;
      case 'call':
        this.#portCallsSeen++;
        // A call announced in the slot: taken now, so the slot's REQUEST has nothing more for us.
        if (message.slot !== undefined && isLater(message.slot, this.#slotSeen)) {
          this.#slotSeen = message.slot;
          Atomics.store(this.#slot!, TAKEN, message.slot);
        }
        // Started here, not from a callback scheduled for it: a task's first step,
        // or a callback, is scheduled on the loop anyway, and calls keep their order.
        if (!this.#loop.isClosed()) this.#call(message);
        return;
      case 'cancel':
        if (!this.#loop.isClosed()) this.#cancel(message.id);
        return;
      case 'done':
        this.#settlePortal(message);
        return;
      default:
        // 'stop' and 'attach' arrive on the primary port only; the entry handles them.
        this.#control?.(message);
        return;
    }
  }

  /**
   * Takes in the call written into the slot, if there is a new one: first
   * the port messages posted before it, then the call itself (inline, or the
   * port message it announces). Returns false when there was none.
   */
  #takeSlot(): boolean {
    const slot = this.#slot;
    if (slot === null || this.#closed) return false;
    const seq = Atomics.load(slot, REQUEST);
    // Behind slotSeen too: a call announced in the slot can arrive on the port before REQUEST moves.
    if (!isLater(seq, this.#slotSeen)) return false;
    this.#slotSeen = seq;
    Atomics.store(slot, TAKEN, seq);
    const id = slot[CALL_ID]!;
    const portCalls = slot[CALL_PORT_CALLS]!;
    const message: CallMessage | null =
      id === 0 ? null : { type: 'call', id, mode: slot[CALL_MODE] === TASK ? 'task' : 'soon', fn: slot[CALL_FUNCTION]!, def: null, args: this.#codec!.decode() as unknown[], slot: seq };
    // Those messages were posted before REQUEST moved, so they are in the port's queue now.
    while (this.#portCallsSeen < portCalls && !this.#closed) {
      const received = receiveMessageOnPort(this.#port);
      if (received === undefined) break;
      this.#receive(received.message as ToLoop);
    }
    if (message !== null && !this.#loop.isClosed()) this.#call(message);
    return true;
  }

  /** Waits for the next slot call with Atomics.waitAsync, without blocking the loop. */
  #waitForSlot(): void {
    const slot = this.#slot;
    if (slot === null || this.#waiting || this.#closed) return;
    // WAITING before the wait's own check of REQUEST: a submitter that wrote
    // a call after that check sees WAITING, and notifies.
    Atomics.store(slot, LOOP_STATE, WAITING);
    for (;;) {
      const seq = Atomics.load(slot, REQUEST);
      if (isLater(seq, this.#slotSeen)) {
        Atomics.store(slot, LOOP_STATE, BUSY);
        this.#takeSlot();
        return;
      }
      const wait = waitAsync(slot, REQUEST, seq);
      if (wait.async) {
        this.#waiting = true;
        void wait.value.then(() => {
          // A wait on a channel since replaced (or released) settles for nothing.
          if (this.#slot === slot) this.#slotWritten();
        });
        return;
      }
    }
  }

  #slotWritten(): void {
    this.#waiting = false;
    if (this.#closed) return;
    Atomics.store(this.#slot!, LOOP_STATE, BUSY);
    // A call taken: its reply polls for the next and then waits again.
    if (!this.#takeSlot()) this.#waitForSlot();
  }

  #call(message: CallMessage): void {
    if (this.#loading !== null) {
      this.#loading.push(message);
      return;
    }
    const loaded = this.#functions.get(message.fn, message.def);
    if (!(loaded instanceof Promise)) {
      this.#start(message, loaded);
      return;
    }
    // The calls made after this one wait for its function to load (its
    // module to import), so that calls start in the order they were made.
    this.#loading = [message];
    const resume = () => this.#loop.callSoon(() => this.#resume());
    loaded.then(resume, resume);
  }

  /** Starts the calls that waited for a function to load, in order. */
  #resume(): void {
    const waiting = this.#loading!;
    this.#loading = null;
    for (const [index, message] of waiting.entries()) {
      this.#call(message);
      if (this.#loading !== null) {
        // Another function to load: the rest wait for it too.
        (this.#loading as CallMessage[]).push(...waiting.slice(index + 1));
        return;
      }
    }
  }

  #start(message: CallMessage, fn: (...args: unknown[]) => unknown): void {
    const { id, args, slot } = message;
    if (message.mode === 'soon') {
      const handle = this.#loop.callSoon(() => {
        this.#running.delete(id);
        let value: unknown;
        try {
          value = fn(...args);
        } catch (error) {
          this.#reply(id, false, error, slot);
          return;
        }
        // A callback that returns a promise (an async function) replies when it settles.
        if (isThenable(value)) Promise.resolve(value).then((result) => this.#reply(id, true, result, slot), (error: unknown) => this.#reply(id, false, error, slot));
        else this.#reply(id, true, value, slot);
      });
      this.#running.set(id, { job: handle, slot });
      return;
    }
    const task = this.#loop.createTask(() => fn(...args) as never);
    this.#running.set(id, { job: task, slot });
    task.addDoneCallback(() => {
      this.#running.delete(id);
      if (task.cancelled()) this.#reply(id, false, new CancelledError('the task was cancelled on the loop thread'), slot);
      else {
        const error = task.exception();
        if (error !== null && error !== undefined) this.#reply(id, false, error, slot);
        else this.#reply(id, true, task.result(), slot);
      }
    });
  }

  #cancel(id: number): void {
    const running = this.#running.get(id);
    if (running === undefined) {
      // Still waiting for a function to load: it never starts.
      const index = this.#loading?.findIndex((message) => message.id === id) ?? -1;
      if (index >= 0) {
        const [message] = this.#loading!.splice(index, 1);
        this.#reply(id, false, new CancelledError('the call was cancelled before it ran'), message!.slot);
      }
      return;
    }
    running.job.cancel();
    // A task replies when its cancellation is done; a dropped callback never runs, so it replies now
    // (the submitter has forgotten the call, but its slot waits for a reply).
    if (!('getCoro' in running.job)) {
      this.#running.delete(id);
      this.#reply(id, false, new CancelledError('the call was cancelled before it ran'), running.slot);
    }
  }

  #settlePortal(message: ReplyMessage): void {
    const future = this.#portal.get(message.id);
    if (future === undefined) return;
    this.#portal.delete(message.id);
    if (future.done()) return;
    if (message.ok) future.setResult(message.value);
    else future.setException(deserializeError(message.error));
  }

  /** Replies to call `id`: in the slot when it came through it (`slot`: its seq), else on the port. */
  #reply(id: number, ok: boolean, value: unknown, slot?: number): void {
    const words = this.#slot;
    if (slot === undefined || words === null || this.#closed) {
      this.#postReply(id, ok, value);
      if (this.#wake !== null) notifyWake(this.#wake);
      return;
    }
    if (ok && this.#codec!.encode(value) >= 0) words[REPLY_KIND] = VALUE;
    else {
      this.#postReply(id, ok, value);
      words[REPLY_KIND] = POSTED;
    }
    // Read before REPLY moves: a submitter spinning now sees the reply at once, and is back soon.
    const submitterActive = Atomics.load(words, SUBMITTER_STATE) === ACTIVE;
    Atomics.store(words, REPLY, slot);
    // After REPLY: a submitter blocked in result() wakes and drains its slot and port.
    if (this.#wake !== null) notifyWake(this.#wake);
    this.#pollForNext(words, submitterActive);
  }

  #postReply(id: number, ok: boolean, value: unknown): void {
    try {
      this.#port.postMessage(ok ? { type: 'done', id, ok: true, value } : { type: 'done', id, ok: false, error: serializeError(value) }, ok ? handlePorts([value]) : undefined);
    } catch (error) {
      this.#port.postMessage({ type: 'done', id, ok: false, error: serializeError(new TypeError(`the result cannot be sent back from the loop thread (it is structured-cloned): ${(error as Error).message}`)) });
    }
  }

  #post(message: FromLoop): void {
    this.#port.postMessage(message);
    // After the post: a submitter blocked in result() wakes and drains its port.
    if (this.#wake !== null) notifyWake(this.#wake);
  }

  /**
   * After a slot reply, polls the slot for a moment for the submitter's next
   * call, when the submitter was spinning for the reply (so it is back within
   * microseconds) and no other callbacks are ready to run; then waits for it.
   */
  #pollForNext(slot: Int32Array, submitterActive: boolean): void {
    const window = !submitterActive || (this.#loop as { readyCount?: number }).readyCount ? 0 : this.#poll.next();
    if (window > 0) {
      const clock = performance;
      const start = clock.now();
      const end = start + window;
      for (let turn = 1; ; turn++) {
        if (isLater(Atomics.load(slot, REQUEST), this.#slotSeen)) {
          this.#poll.caught(clock.now() - start);
          this.#takeSlot();
          return;
        }
        // The clock costs more than a turn: read it once every 16.
        if ((turn & 15) === 0 && clock.now() >= end) break;
      }
      this.#poll.missed();
    }
    this.#waitForSlot();
  }
}
