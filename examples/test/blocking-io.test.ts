import { describe, expect, it } from 'vitest';
import { blockingIo, main } from '../src/blocking-io.js';
import { captureLines, shapes } from './capture.js';

const took = /^Took (\d+\.\d\d) s: about the longest call \(3 s\), not their sum \(6 s\)$/;

describe('blockingIo', () => {
  it('blocks its thread for the duration and says so', () => {
    const start = performance.now();
    expect(blockingIo(0.05)).toBe('Blocked for 0.05s');
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
  });
});

describe.each(shapes)('blocking-io (%s)', (shape) => {
  it('prints the results in call order, after about the longest call (3 s), not the sum (6 s): the calls run side by side', async () => {
    // The guide's durations: starting three workers from the TypeScript
    // sources (tsx compiles this module and asyncio-ts in each) takes up to
    // a second or two of the 3 s between the longest call and the sum.
    const start = performance.now();
    const lines = await captureLines(() => main({ shape, scale: 1 }));
    const elapsed = (performance.now() - start) / 1000;
    expect(lines[0]).toBe("['Blocked for 2s', 'Blocked for 1s', 'Blocked for 3s']");
    const reported = Number(took.exec(lines[1]!)?.[1]);
    expect(reported).toBeGreaterThanOrEqual(3 * 0.95);
    expect(reported).toBeLessThan(6);
    expect(elapsed).toBeGreaterThanOrEqual(3 * 0.95);
    expect(elapsed).toBeLessThan(6);
  }, 15_000);

  it('keeps the event loop free while the workers block', async () => {
    let ticks = 0;
    const { runBlockingIo, runBlockingIoGenerator } = await import('../src/blocking-io.js');
    const asyncio = await import('asyncio-ts');
    await captureLines(() =>
      asyncio.run(async () => {
        const heartbeat = asyncio.createTask(async () => {
          for (;;) {
            await asyncio.sleep(0.02);
            ticks++;
          }
        });
        if (shape === 'generator') await asyncio.createTask(runBlockingIoGenerator(0.2));
        else await runBlockingIo(0.2);
        heartbeat.cancel();
      }),
    );
    // 0.6 s of blocking calls: a free loop ticks about 30 times; a blocked one would not tick.
    expect(ticks).toBeGreaterThanOrEqual(10);
  });
});
