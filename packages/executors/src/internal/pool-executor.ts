// What ThreadPoolExecutor and ProcessPoolExecutor share: an Executor over a
// WorkerPool. The two differ in their workers and their BrokenExecutor.
import type { TransferListItem } from 'node:worker_threads';
import { inspect } from 'node:util';
import { Executor, type ShutdownOptions } from '../executor.js';
import { resolveFunction, type WorkerArgs, type WorkerFunction, type WorkerResult } from '../function-reference.js';
import type { Future } from '../future.js';
import { unwrapTransfers } from '../transfer.js';
import { blockUntil } from './blocking.js';
import { describe } from './checks.js';
import { WorkerPool, type PoolConfig } from './pool.js';

export abstract class PoolExecutor extends Executor {
  readonly #pool: WorkerPool;
  #shutdownRequested = false;

  protected constructor(config: PoolConfig) {
    super();
    this.#pool = new WorkerPool(config);
  }

  submit<F extends WorkerFunction>(fn: F, ...args: WorkerArgs<F>): Future<WorkerResult<F>> {
    this.#pool.checkOpen();
    const reference = resolveFunction('submit()', fn);
    const { args: plain, transferList } = unwrapTransfers(args);
    return this.#pool.submit(reference, plain, transferList, false) as Future<WorkerResult<F>>;
  }

  shutdown(options: ShutdownOptions = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`shutdown() expects an options object { wait?, cancelFutures? }, got ${describe(options)}`);
    }
    this.#shutdownRequested = true;
    const closed = this.#pool.shutdown(options.cancelFutures === true);
    return options.wait === false ? Promise.resolve() : closed;
  }

  protected override canSubmitChunks(): boolean {
    return true;
  }

  protected override submitChunk(fn: WorkerFunction, chunk: unknown[][]): Future<unknown> {
    this.#pool.checkOpen();
    const reference = resolveFunction('map()', fn);
    const transferList: TransferListItem[] = [];
    const calls = chunk.map((args) => {
      const unwrapped = unwrapTransfers(args);
      transferList.push(...unwrapped.transferList);
      return unwrapped.args;
    });
    return this.#pool.submit(reference, calls, transferList, true);
  }

  protected override waitForWork(): void {
    blockUntil(() => !this.#pool.busy, null, `${this.constructor.name} disposal`);
  }

  override [inspect.custom](): string {
    const state = this.#shutdownRequested ? 'shutdown' : 'open';
    return `${this.constructor.name} [${state}, workers:${this.#pool.workerCount}, pending:${this.#pool.pendingFutures().length}]`;
  }
}
