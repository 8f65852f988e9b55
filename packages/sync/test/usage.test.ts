// The README's usage example runs as written (test/fixtures/usage.ts).
import { describe, expect, it } from 'vitest';
import { run, Runner } from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';
import { pipeline, scrape } from './fixtures/usage.js';

describe('the README example', () => {
  it('scrapes four URLs three at a time', async () => {
    const runner = new Runner({ loopFactory: () => new TestLoop() });
    try {
      const begin = runner.getLoop().time();
      expect(await runner.run(() => scrape(['a', 'b', 'c', 'd']))).toEqual(['a: ok', 'b: ok', 'c: ok', 'd: ok']);
      // Two rounds of 0.1 s: three at once, then the fourth.
      expect(runner.getLoop().time() - begin).toBeCloseTo(0.2, 6);
    } finally {
      await runner.close();
    }
  });

  it('passes five items through a queue of two to two consumers', async () => {
    expect(await run(pipeline)).toEqual([0, 1, 2, 3, 4]);
  });
});
