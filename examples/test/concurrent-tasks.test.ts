import { describe, expect, it } from 'vitest';
import { main } from '../src/concurrent-tasks.js';
import { captureLines, shapes } from './capture.js';

describe.each(shapes)('concurrent-tasks (%s)', (shape) => {
  it('prints Task-2 finishing before Task-1, results in the order passed', async () => {
    const lines = await captureLines(() => main({ shape, scale: 0.05 }));
    expect(lines).toEqual([
      'Task-1 starting',
      'Task-2 starting',
      'Task-2 finished',
      'Task-1 finished',
      "Results: ['Task-1 result', 'Task-2 result']",
    ]);
  });

  it('runs the workers concurrently: about 2 s, not 3', async () => {
    const scale = 0.5;
    const start = performance.now();
    await captureLines(() => main({ shape, scale }));
    const elapsed = (performance.now() - start) / 1000;
    expect(elapsed).toBeGreaterThanOrEqual(2 * scale * 0.95);
    expect(elapsed).toBeLessThan(3 * scale);
  });
});
