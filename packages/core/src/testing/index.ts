export { TestLoop, VirtualClock } from './test-loop.js';
