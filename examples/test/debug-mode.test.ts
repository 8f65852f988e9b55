import { describe, expect, it } from 'vitest';
import { main } from '../src/debug-mode.js';
import { captureLines, shapes } from './capture.js';

const close = /^DEBUG:asyncio-ts:Close <EventLoop #\d+ running=false closed=false debug=true>$/;

describe.each(shapes)('debug-mode (%s)', (shape) => {
  it("does not warn for the guide's sleep(0.15), and warns for a 0.15 s busy-wait", async () => {
    const lines = await captureLines(() => main({ shape, scale: 0.2 }));
    expect(lines).toHaveLength(5);
    // The guide's version: only the DEBUG line, as in CPython.
    expect(lines[0]).toBe("The guide's version: await sleep(0.15)");
    expect(lines[1]).toMatch(close);
    // The blocking version: the slow step is named, with its task and duration.
    expect(lines[2]).toBe('A step that blocks: busy-wait for 0.15 s');
    const warning = /^WARNING:asyncio-ts:Executing .*<Task (pending|finished) name='Task-\d+' coro=<(busyCallback|busyCallbackGenerator)\(\)>.* took (\d\.\d{3}) seconds$/.exec(lines[3]!);
    expect(warning, lines[3]).not.toBeNull();
    expect(Number(warning![3])).toBeGreaterThanOrEqual(0.15);
    expect(Number(warning![3])).toBeLessThan(1);
    expect(lines[4]).toMatch(close);
  });
});
