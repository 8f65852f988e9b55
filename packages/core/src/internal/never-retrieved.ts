// "Future exception was never retrieved": an exception set on a Future that
// nobody read is reported to the loop's exception handler once the Future is
// garbage-collected, as asyncio's Future.__del__ does.
import type { BaseEventLoop } from '../base-event-loop.js';

interface Unretrieved {
  loop: BaseEventLoop;
  exception: unknown;
  description: string;
  kind: string;
  sourceTraceback: string | undefined;
}

const registry = new FinalizationRegistry<Unretrieved>((held) => {
  held.loop.callExceptionHandler({
    message: `${held.kind} exception was never retrieved`,
    exception: held.exception,
    future: held.description,
    ...(held.sourceTraceback !== undefined ? { sourceTraceback: held.sourceTraceback } : {}),
  });
});

interface Reportable {
  toString(): string;
  sourceTraceback: string | undefined;
}

export function reportNeverRetrieved(future: Reportable, loop: BaseEventLoop, exception: unknown): void {
  // V8 formats error.stack lazily and keeps the captured frames (and what they
  // reference, such as the Future) alive until then: format it now.
  if (exception instanceof Error) void exception.stack;
  registry.register(
    future,
    { loop, exception, description: future.toString(), kind: future.constructor.name, sourceTraceback: future.sourceTraceback },
    future,
  );
}

export function forgetNeverRetrieved(future: object): void {
  registry.unregister(future);
}
