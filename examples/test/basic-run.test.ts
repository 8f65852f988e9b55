import { describe, expect, it } from 'vitest';
import { main } from '../src/basic-run.js';
import { captureLines, shapes } from './capture.js';

describe.each(shapes)('basic-run (%s)', (shape) => {
  it('prints Starting, then Finished after the sleep', async () => {
    const start = performance.now();
    const lines = await captureLines(() => main({ shape, scale: 0.05 }));
    const elapsed = (performance.now() - start) / 1000;
    expect(lines).toEqual(['Starting', 'Finished']);
    expect(elapsed).toBeGreaterThanOrEqual(0.05 * 0.95);
    expect(elapsed).toBeLessThan(2);
  });
});
