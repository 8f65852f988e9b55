export { QueueEmpty, QueueFull, QueueShutDown, BrokenBarrierError } from './errors.js';
export { Lock } from './lock.js';
export type { Releaser } from './internal/releaser.js';
