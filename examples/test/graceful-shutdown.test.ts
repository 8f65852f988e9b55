import { afterEach, describe, expect, it } from 'vitest';
import * as asyncio from 'asyncio-ts';
import { main, runService } from '../src/graceful-shutdown.js';
import { captureLines, shapes } from './capture.js';

describe.each(shapes)('graceful-shutdown (%s)', (shape) => {
  afterEach(() => asyncio.setEventLoop(null));

  it('runs three iterations, then shuts down on its own SIGTERM', async () => {
    const lines = await captureLines(() => main({ shape, scale: 0.4 }));
    expect(lines).toEqual([
      'Loop running: false',
      'Background task iteration 1',
      'Background task iteration 2',
      'Background task iteration 3',
      'Shutting down gracefully...',
      'Loop closed: false',
    ]);
  });

  it('leaves no signal listener behind', async () => {
    const before = process.listenerCount('SIGTERM') + process.listenerCount('SIGINT');
    await captureLines(() => runService({ shape, scale: 0.05 }));
    expect(process.listenerCount('SIGTERM') + process.listenerCount('SIGINT')).toBe(before);
  });
});
