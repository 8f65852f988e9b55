// Signal handlers for a loop: Node's process signal events, delivered to the
// loop as callbacks (asyncio's add_signal_handler, which uses a wake-up fd).
import { isMainThread } from 'node:worker_threads';
import { constants } from 'node:os';
import { RuntimeError, ValueError } from '../errors.js';
import { describe } from './checks.js';

type Deliver = (callback: (...args: unknown[]) => unknown, args: unknown[]) => void;

const uncatchable = new Set(['SIGKILL', 'SIGSTOP']);

/** Normalises a signal given as a name ('SIGINT') or a number (2) to its name. */
export function signalName(signal: unknown): NodeJS.Signals {
  const names = constants.signals as Record<string, number>;
  if (typeof signal === 'string' && signal in names) return signal as NodeJS.Signals;
  if (typeof signal === 'number') {
    const name = Object.keys(names).find((candidate) => names[candidate] === signal);
    if (name !== undefined) return name as NodeJS.Signals;
  }
  throw new ValueError(`invalid signal ${describe(signal)}; pass a name such as 'SIGINT' or 'SIGTERM', or its number`);
}

export class SignalHandlers {
  #listeners = new Map<NodeJS.Signals, () => void>();
  readonly #deliver: Deliver;

  constructor(deliver: Deliver) {
    this.#deliver = deliver;
  }

  add(signal: unknown, callback: (...args: unknown[]) => unknown, args: unknown[]): void {
    if (!isMainThread) {
      throw new RuntimeError('addSignalHandler() works only in the main thread: Node delivers signals to the main thread; handle them there and forward with callSoonThreadsafe()');
    }
    const name = signalName(signal);
    if (uncatchable.has(name)) throw new RuntimeError(`addSignalHandler(): ${name} cannot be caught by any process`);
    this.remove(name);
    const listener = () => this.#deliver(callback, args);
    process.on(name, listener);
    this.#listeners.set(name, listener);
  }

  /** True when a handler was installed for `signal` and has been removed. */
  remove(signal: unknown): boolean {
    const name = signalName(signal);
    const listener = this.#listeners.get(name);
    if (listener === undefined) return false;
    process.removeListener(name, listener);
    this.#listeners.delete(name);
    return true;
  }

  clear(): void {
    for (const name of [...this.#listeners.keys()]) this.remove(name);
  }
}
