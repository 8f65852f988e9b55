import { describe, expect, it } from 'vitest';
import * as asyncio from 'asyncio-ts';
import { fetchData, fetchDataGenerator, main } from '../src/fetch-data.js';
import { captureLines, shapes } from './capture.js';

describe.each(shapes)('fetch-data (%s)', (shape) => {
  it('prints the result that run() returns', async () => {
    const lines = await captureLines(() => main({ shape, scale: 0.05 }));
    expect(lines).toEqual(['Data retrieved']);
  });

  it('is cancelled while it sleeps when its task is cancelled', async () => {
    const outcome = await asyncio.run(async () => {
      const task = asyncio.createTask(shape === 'generator' ? fetchDataGenerator(1) : () => fetchData(1));
      await asyncio.sleep(0.01);
      task.cancel();
      await asyncio.gather(task, { returnExceptions: true });
      return task.cancelled();
    });
    expect(outcome).toBe(true);
  });
});
