export { BrokenLoopThread } from './errors.js';
export { LoopThread, type LoopThreadOptions } from './loop-thread.js';
export { getLoopHandle, isLoopHandle, runCoroutineThreadsafe, type LoopHandle, type LoopTarget } from './loop-handle.js';
export { RemoteFuture } from './remote-future.js';
export { runSync, sharedLoopThread, shutdownRunSync } from './run-sync.js';
export { runInStartingThread } from './portal.js';
