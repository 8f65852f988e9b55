import { describe, expect, it } from 'vitest';
import * as asyncio from 'asyncio-ts';
import { examples, waitingFor } from '../src/examples.js';
import { main } from '../src/main.js';
import { captureLines } from './capture.js';

describe('main', () => {
  it('runs every example in the guide’s order, each shape under its own heading', async () => {
    const lines = await captureLines(() => main(['--scale=0.02']));
    asyncio.setEventLoop(null);
    const headings = lines.filter((text) => text.startsWith('=== '));
    const expected = examples.flatMap((example) => [
      `=== ${example.name}: ${example.title} (async function, durations ×0.02) ===`,
      `=== ${example.name}: ${example.title} (function*, durations ×0.004) ===`,
    ]);
    expect(headings).toEqual([...expected, '=== Not runnable yet: waiting for packages ===']);
    expect(lines.slice(-waitingFor.length)).toEqual(waitingFor.map(({ example, packages }) => `- ${example}: needs ${packages}`));
  });

  it('runs one shape of the examples it is asked for', async () => {
    const lines = await captureLines(() => main(['--only=basic-run,call-soon', '--shape=generator', '--scale=0.02']));
    expect(lines.filter((text) => text !== '')).toEqual([
      '=== basic-run: asyncio.run(): the event-loop lifecycle (function*, durations ×0.02) ===',
      'Starting',
      'Finished',
      '=== call-soon: loop.callSoon(): callbacks on the next iteration (function*, durations ×0.02) ===',
      'Callback executed with 1',
      'Callback executed with 2',
    ]);
  });

  it('names the examples it knows when asked for one it does not', async () => {
    await expect(main(['--only=web-scraper'])).rejects.toThrow(/--only names unknown examples; choose from basic-run, /);
  });

  it('rejects a shape that is not async, generator or both', async () => {
    await expect(main(['--shape=callback'])).rejects.toThrow(/--shape must be async, generator or both, got callback/);
  });
});
