import { describe, expect, it } from 'vitest';
import { RuntimeError } from '@asyncio-ts/executors';
import { LoopThread, runInStartingThread } from '../src/index.js';

const bridge = new URL('./fixtures/bridge.ts', import.meta.url);

describe.each(['doubleInStarter', 'doubleInStarterGen'])('runInStartingThread (%s)', (name) => {
  it('calls back into the starting thread while it blocks in result()', () => {
    using runner = new LoopThread().start();
    expect(runner.runCoroutine({ module: bridge, export: name }, 21).result(10)).toBe(42);
  });

  it('calls back into the starting thread while it awaits', async () => {
    await using runner = new LoopThread().start();
    expect(await runner.runCoroutine({ module: bridge, export: name }, 4)).toBe(8);
  });
});

describe('runInStartingThread', () => {
  it('delivers the error of the starting thread to the loop', () => {
    using runner = new LoopThread().start();
    expect(() => runner.runCoroutine({ module: bridge, export: 'failInStarter' }).result(10)).toThrow(
      expect.objectContaining({ name: 'RangeError', message: 'from the starter' }),
    );
  });

  it('is refused outside a loop thread', () => {
    expect(() => runInStartingThread(() => 1)).toThrow(RuntimeError);
  });
});
