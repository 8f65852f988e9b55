import { describe, expect, it } from 'vitest';
import * as asyncio from 'asyncio-ts';
import { main } from '../src/legacy-loop.js';
import { captureLines, shapes } from './capture.js';

describe.each(shapes)('legacy-loop (%s)', (shape) => {
  it('prints the result of runUntilComplete() and closes the loop', async () => {
    const lines = await captureLines(() => main({ shape, scale: 0.05 }));
    expect(lines).toEqual(['Complete']);
    // The closed loop is not handed out again: getEventLoop() makes a fresh one.
    const next = asyncio.getEventLoop();
    expect(next.isClosed()).toBe(false);
    next.close();
  });
});

describe('legacy-loop after close()', () => {
  it('refuses to run a closed loop, naming the fix', async () => {
    const loop = asyncio.newEventLoop();
    loop.close();
    await expect(loop.runUntilComplete(async () => 'never')).rejects.toThrow(/Event loop is closed; create a new one with newEventLoop\(\)/);
  });
});
