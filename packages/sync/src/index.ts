export { QueueEmpty, QueueFull, QueueShutDown, BrokenBarrierError } from './errors.js';
export { Lock } from './lock.js';
export { Event } from './event.js';
export { Condition } from './condition.js';
export { Semaphore, BoundedSemaphore } from './semaphore.js';
export { Barrier } from './barrier.js';
export { Queue, PriorityQueue, LifoQueue, type PriorityQueueOptions, type QueueStore } from './queue.js';
export type { Releaser } from './internal/releaser.js';
