/**
 * The error classes of @asyncio-ts/sync, with asyncio's names and hierarchy.
 *
 * Bad arguments and misuse throw core's ValueError, RuntimeError and
 * TypeError (import them from @asyncio-ts/core): a negative Semaphore value,
 * BoundedSemaphore released past its bound, taskDone() called too often,
 * releasing a Lock that is not locked, a primitive used from a second loop.
 */
import { AsyncioError, RuntimeError } from '@asyncio-ts/core';

/** getNowait() on an empty queue (asyncio.QueueEmpty). */
export class QueueEmpty extends AsyncioError {
  constructor(message = 'the queue is empty', options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_QUEUE_EMPTY');
  }
}

/** putNowait() on a full queue (asyncio.QueueFull). */
export class QueueFull extends AsyncioError {
  constructor(message = 'the queue is full', options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_QUEUE_FULL');
  }
}

/** A put or get on a queue that was shut down (asyncio.QueueShutDown, Python 3.13). */
export class QueueShutDown extends AsyncioError {
  constructor(message = 'the queue is shut down', options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_QUEUE_SHUT_DOWN');
  }
}

/** A Barrier was aborted or reset while a task waited on it (asyncio.BrokenBarrierError, a RuntimeError). */
export class BrokenBarrierError extends RuntimeError {
  constructor(message = 'the barrier is broken', options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, 'code', { value: 'ASYNCIO_BROKEN_BARRIER', enumerable: true });
  }
}
