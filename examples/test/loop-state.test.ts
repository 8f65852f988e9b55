import { describe, expect, it } from 'vitest';
import { main } from '../src/loop-state.js';
import { captureLines, shapes } from './capture.js';

describe.each(shapes)('loop-state (%s)', (shape) => {
  it('reports a running, open loop and its monotonic time in seconds', async () => {
    const lines = await captureLines(() => main({ shape }));
    expect(lines.slice(0, 2)).toEqual(['Is running: true', 'Is closed: false']);
    const match = /^Loop time: (\d+(\.\d+)?)$/.exec(lines[2] ?? '');
    expect(match).not.toBeNull();
    // Seconds, not milliseconds: close to the process's own monotonic clock.
    expect(Math.abs(Number(match![1]) - performance.now() / 1000)).toBeLessThan(5);
    expect(lines).toHaveLength(3);
  });
});
