// LoopBound: a primitive belongs to the loop it first waits on, as asyncio's
// mixins._LoopBoundMixin (3.10+). As there, the binding happens on the slow
// path only, when a waiter Future is made: an uncontended acquire() touches
// no loop state, so a module-level Lock used without contention works across
// several run() calls, as it does in asyncio.
import { inspect } from 'node:util';
import { RuntimeError, type BaseEventLoop } from '@asyncio-ts/core';

export abstract class LoopBound {
  #loop: BaseEventLoop | null = null;

  /**
   * Binds this primitive to `loop` on first use; afterwards `loop` must be that one.
   * @throws RuntimeError when the primitive is bound to another loop.
   * @internal
   */
  protected bindLoop(loop: BaseEventLoop): void {
    if (this.#loop === null) this.#loop = loop;
    else if (this.#loop !== loop) {
      throw new RuntimeError(
        `${inspect(this)} is bound to a different event loop; create a primitive inside the loop that uses it (a new one for each run())`,
      );
    }
  }
}
