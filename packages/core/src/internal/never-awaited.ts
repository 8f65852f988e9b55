// "coroutine '…' was never awaited": an awaitable whose work only starts
// when it is awaited (timeout(), taskGroup(); sleep() in debug mode) and that
// is collected without ever being awaited is reported, as Python warns.
import { logger } from '../logger.js';

interface Held {
  name: string;
  stack: string | undefined;
}

const registry = new FinalizationRegistry<Held>((held) => {
  const where = held.stack === undefined ? '' : `\nCoroutine created at (most recent call last):\n${held.stack}`;
  logger.warn(`RuntimeWarning: coroutine '${held.name}' was never awaited${where}`);
});

export const neverAwaited = {
  watch(target: object, name: string, stack?: string): void {
    registry.register(target, { name, stack }, target);
  },
  forget(target: object): void {
    registry.unregister(target);
  },
};
