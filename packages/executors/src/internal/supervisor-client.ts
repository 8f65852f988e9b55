// The owning thread's side of the supervisor (see supervision.ts): one per
// thread, started with the first pool worker, never keeping the process
// alive on its own.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort, type TransferListItem } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import { bootFor, entryExecArgv, threadBootstrap } from '../entries.js';
import { wakeWord } from './blocking.js';
import type { Boot } from './protocol.js';
import type { FromSupervisor, ToSupervisor } from './supervision.js';

export interface SpawnRequest {
  boot: Boot;
  workerData: Record<string, unknown>;
  transferList: TransferListItem[];
  resourceLimits?: ResourceLimits | undefined;
  onExit(report: FromSupervisor): void;
}

export class SupervisorClient {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #listeners = new Map<number, (report: FromSupervisor) => void>();
  #nextKey = 1;
  #holds = 0;
  #dead = false;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(threadBootstrap, {
      eval: true,
      workerData: { boot: bootFor('supervisor'), port: port2, wake: wakeWord() },
      transferList: [port2],
      execArgv: entryExecArgv(),
    });
    this.#worker.unref();
    this.#worker.on('error', () => {});
    this.#worker.on('exit', () => this.#supervisorDied());
    port1.on('message', (message: FromSupervisor) => this.#handle(message));
    port1.unref();
  }

  /** Starts a worker thread; returns its key. */
  spawn(request: SpawnRequest): number {
    const key = this.#nextKey++;
    this.#listeners.set(key, request.onExit);
    this.#post(
      {
        type: 'spawn',
        key,
        boot: request.boot,
        workerData: request.workerData,
        transferList: request.transferList,
        execArgv: entryExecArgv(),
        resourceLimits: request.resourceLimits,
      },
      request.transferList,
    );
    return key;
  }

  /** Ends the worker: at once, or after `grace` seconds unless it ends by itself first. */
  terminate(key: number, grace = 0): void {
    this.#post({ type: 'terminate', key, grace });
  }

  killAfter(key: number, slots: Int32Array, slot: number, word: number, grace: number): void {
    this.#post({ type: 'kill-after', key, slots, slot, word, grace });
  }

  /** Keeps the process alive (while someone awaits exits); release() undoes it. */
  hold(): void {
    if (this.#holds++ === 0) this.#port.ref();
  }

  release(): void {
    if (--this.#holds === 0) this.#port.unref();
  }

  /** Handles the reports that arrived, synchronously (for a blocked owner). */
  drain(): void {
    for (let received = receiveMessageOnPort(this.#port); received !== undefined; received = receiveMessageOnPort(this.#port)) {
      this.#handle(received.message as FromSupervisor);
    }
  }

  #post(message: ToSupervisor, transferList: TransferListItem[] = []): void {
    if (this.#dead) {
      if (message.type === 'spawn') queueMicrotask(() => this.#handle({ type: 'exit', key: message.key, code: 1, reason: 'died', error: null }));
      return;
    }
    this.#port.postMessage(message, transferList as never);
  }

  #handle(report: FromSupervisor): void {
    const listener = this.#listeners.get(report.key);
    if (listener === undefined) return;
    this.#listeners.delete(report.key);
    listener(report);
  }

  /** The supervisor itself ended (it should not): its workers ended with it. */
  #supervisorDied(): void {
    this.drain();
    this.#dead = true;
    if (current === this) current = null;
    for (const key of [...this.#listeners.keys()]) this.#handle({ type: 'exit', key, code: 1, reason: 'died', error: null });
  }
}

let current: SupervisorClient | null = null;

/** This thread's supervisor, started on first use. */
export function supervisor(): SupervisorClient {
  return (current ??= new SupervisorClient());
}

/** This thread's supervisor if it was started, for draining. */
export function startedSupervisor(): SupervisorClient | null {
  return current;
}
