// The messages between a loop thread and the threads that submit to it, and
// the shared state word every holder of a loop handle can read.
//
// Every connection is one MessagePort and one shared-memory channel (see
// channel.ts): the submitter posts requests on the port, or writes them into
// the channel's slot; the loop replies the same way. A submitter first says
// hello with its thread's wake word (from @asyncio-ts/executors), which the
// loop notifies after every reply so that a thread blocked in result() wakes
// and drains its port and slot, and with the channel it made.
import type { MessagePort } from 'node:worker_threads';
import type { FunctionSpec } from './function-spec.js';

/** The state word (index 0 of a loop's shared Int32Array). */
export const STARTING = 0;
export const RUNNING = 1;
export const STOPPING = 2;
/** The loop has stopped and closed its ports; the thread is ending. Pending work can no longer complete. */
export const STOPPED = 4;
/** Set by the loop thread as it exits, whatever the reason: pending work can no longer complete. */
export const EXITED = 3;

/** A function the other side has not seen yet on this connection, defined before use. */
export interface FunctionDefinition {
  id: number;
  spec: FunctionSpec;
}

/**
 * How many calls the submitter had written into the channel's slot when it
 * posted a message: the loop takes those in first, to keep the order.
 */
interface Ordered {
  slotCalls?: number;
}

/** Calls on either side: a coroutine function run as a task on the loop, a callback run soon, or a call back into the submitter (portal). */
export interface CallMessage extends Ordered {
  type: 'call';
  id: number;
  mode: 'task' | 'soon' | 'portal';
  fn: number;
  def: FunctionDefinition | null;
  args: unknown[];
  /** The slot seq of a call taken from the channel (its reply goes back there); loop side only. */
  slot?: number;
}

export type ReplyMessage =
  | { type: 'done'; id: number; ok: true; value: unknown }
  | { type: 'done'; id: number; ok: false; error: unknown };

export type ToLoop =
  | { type: 'hello'; wake: Int32Array; channel: SharedArrayBuffer }
  | CallMessage
  | ({ type: 'cancel'; id: number } & Ordered)
  | { type: 'attach'; port: MessagePort }
  | ({ type: 'stop' } & Ordered)
  | ReplyMessage;

export type FromLoop = ReplyMessage | CallMessage;

/** How the loop thread's bootstrap finds its entry module. */
export interface Boot {
  entry: string;
  tsx: string | null;
}

/** workerData of a loop thread. */
export interface LoopWorkerData {
  boot: Boot;
  port: MessagePort;
  /** The starting thread's wake word. */
  wake: Int32Array;
  /** The primary connection's shared-memory channel. */
  channel: SharedArrayBuffer;
  state: Int32Array;
}

/**
 * The ports of the loop handles among `values` (top level only): posted
 * with a message, they move to the receiving thread with it.
 */
export function handlePorts(values: readonly unknown[]): MessagePort[] | undefined {
  let ports: MessagePort[] | undefined;
  for (const value of values) {
    if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'asyncio-ts.loop-handle') {
      (ports ??= []).push((value as { port: MessagePort }).port);
    }
  }
  return ports;
}
