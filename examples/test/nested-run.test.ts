import { describe, expect, it } from 'vitest';
import * as asyncio from 'asyncio-ts';
import { inner, main } from '../src/nested-run.js';
import { captureLines, shapes } from './capture.js';

describe.each(shapes)('nested-run (%s)', (shape) => {
  it('shows run() throwing RuntimeError inside a loop, then awaits inner() instead', async () => {
    const lines = await captureLines(() => main({ shape }));
    expect(lines).toEqual([
      'run() inside a running loop: RuntimeError: run() cannot be called from a running event loop; await the coroutine instead',
      'inner() returned: Success',
    ]);
  });
});

describe('nested-run', () => {
  it('throws at once, without starting the coroutine it was given', async () => {
    let started = false;
    await asyncio.run(async () => {
      expect(() =>
        asyncio.run(async () => {
          started = true;
        }),
      ).toThrow(asyncio.RuntimeError);
      expect(await inner()).toBe('Success');
    });
    expect(started).toBe(false);
  });
});
