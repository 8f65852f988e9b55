import { describe, expect, it } from 'vitest';
import * as asyncio from 'asyncio-ts';
import { callback, main } from '../src/call-soon.js';
import { captureLines, shapes } from './capture.js';

describe.each(shapes)('call-soon (%s)', (shape) => {
  it('runs the callbacks in the order they were scheduled', async () => {
    const lines = await captureLines(() => main({ shape, scale: 0.05 }));
    expect(lines).toEqual(['Callback executed with 1', 'Callback executed with 2']);
  });
});

describe('call-soon', () => {
  it('does not run a callback whose handle was cancelled', async () => {
    const lines = await captureLines(() =>
      asyncio.run(async () => {
        const loop = asyncio.getRunningLoop();
        loop.callSoon(callback, 1).cancel();
        loop.callSoon(callback, 2);
        await asyncio.sleep(0);
      }),
    );
    expect(lines).toEqual(['Callback executed with 2']);
  });

  it('rejects a coroutine passed as the callback', async () => {
    await asyncio.run(async () => {
      const loop = asyncio.getRunningLoop();
      expect(() => loop.callSoon(42 as unknown as () => void)).toThrow(TypeError);
    });
  });
});
