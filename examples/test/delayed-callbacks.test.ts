import { describe, expect, it } from 'vitest';
import { main } from '../src/delayed-callbacks.js';
import { captureLines, shapes } from './capture.js';

describe.each(shapes)('delayed-callbacks (%s)', (shape) => {
  it('runs the callAt() callback (1 s) before the callLater() one (2 s), on time', async () => {
    const scale = 0.05;
    const start = performance.now();
    const lines = await captureLines(() => main({ shape, scale }));
    const elapsed = (performance.now() - start) / 1000;
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('Executed at specific time');
    const match = /^Scheduled: (\d+\.\d\d), Actual: (\d+\.\d\d)$/.exec(lines[1]!);
    expect(match).not.toBeNull();
    const lateness = Number(match![2]) - Number(match![1]);
    // Never early (to the printed hundredth), and not much late.
    expect(lateness).toBeGreaterThanOrEqual(-0.01);
    expect(lateness).toBeLessThan(0.5);
    // The coroutine sleeps 3 s (scaled) before run() returns.
    expect(elapsed).toBeGreaterThanOrEqual(3 * scale * 0.95);
  });
});
