import { describe, expect, it } from 'vitest';
import * as asyncio from 'asyncio-ts';
import * as core from '@asyncio-ts/core';

describe('the asyncio-ts umbrella', () => {
  it('re-exports every name of @asyncio-ts/core', () => {
    for (const name of Object.keys(core)) expect(asyncio).toHaveProperty(name);
  });

  it('runs a coroutine with import * as asyncio', async () => {
    const result = await asyncio.run(async () => {
      await asyncio.sleep(0.01);
      return 'done';
    });
    expect(result).toBe('done');
  });
});
