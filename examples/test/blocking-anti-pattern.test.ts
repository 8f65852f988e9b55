import { describe, expect, it } from 'vitest';
import { main } from '../src/blocking-anti-pattern.js';
import { captureLines, shapes } from './capture.js';

const line = /^(bad_approach|good_approach) returned Done after (\d+\.\d\d) s; the heartbeat stalled for (\d+\.\d\d) s$/;

describe.each(shapes)('blocking-anti-pattern (%s)', (shape) => {
  it('stalls the heartbeat for the whole blocking sleep, and not for the asyncio sleep', async () => {
    const scale = 0.2; // each approach takes 0.4 s; the heartbeat ticks every 0.02 s
    const lines = await captureLines(() => main({ shape, scale }));
    expect(lines).toHaveLength(2);
    const [bad, good] = lines.map((text) => line.exec(text));
    expect(bad?.[1]).toBe('bad_approach');
    expect(good?.[1]).toBe('good_approach');
    // Both take their 0.4 s.
    expect(Number(bad![2])).toBeGreaterThanOrEqual(0.39);
    expect(Number(good![2])).toBeGreaterThanOrEqual(0.39);
    // Blocking: no heartbeat for all of it. Sleeping: the heartbeat keeps going.
    expect(Number(bad![3])).toBeGreaterThanOrEqual(0.39);
    expect(Number(good![3])).toBeLessThan(0.2);
  });
});
