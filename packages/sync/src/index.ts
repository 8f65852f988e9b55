export { QueueEmpty, QueueFull, QueueShutDown, BrokenBarrierError } from './errors.js';
export { Lock } from './lock.js';
export { Event } from './event.js';
export { Condition } from './condition.js';
export { Semaphore, BoundedSemaphore } from './semaphore.js';
export type { Releaser } from './internal/releaser.js';
