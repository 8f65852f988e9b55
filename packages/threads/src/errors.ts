// The thread bridge's own error.
import { RuntimeError } from '@asyncio-ts/executors';

/**
 * The loop thread exited (it was stopped, or it died: process.exit(), an
 * uncaught error, out of memory) while work was pending, or before work
 * could be submitted: that work can never complete.
 */
export class BrokenLoopThread extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokenLoopThread';
  }
}
