// Debug mode: loop.setDebug(true), run(main, {debug: true}) and the
// ASYNCIO_TS_DEBUG environment variable. A callback or task step slower than
// loop.slowCallbackDuration is reported as "Executing <...> took N.NNN
// seconds" with where it was created: to the loop's exception handler when one
// is set, else as a warning to core's logger (DESIGN.md, "Contract details").
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLoop, getRunningLoop, run, sleep, type Coroutine } from '@asyncio-ts/core';
import { shapes, useLoopGuard } from './fixtures/loop-guard.js';

const guard = useLoopGuard();
const thisFile = fileURLToPath(import.meta.url);
const escapedFile = thisFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The line of the caller, as stacks (source-mapped by vitest) show it. */
function callerLine(): number {
  const frame = new Error().stack!.split('\n')[2]!;
  return Number(/:(\d+):\d+\)?$/.exec(frame)![1]);
}

/** Holds the thread for `ms` milliseconds without yielding. */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/**
 * A loop in debug mode that reports anything slower than 50 ms. The slow
 * code of these tests holds the loop for SLOW_MS, well above it, and the
 * rest stays well below it even on a busy machine.
 */
function debugLoop(options: { handler?: boolean } = {}): EventLoop {
  const loop = guard.track(new EventLoop({ debug: true }), options);
  loop.slowCallbackDuration = 0.05;
  return loop;
}

const SLOW_MS = 100;

/** A "took N.NNN seconds" of at least SLOW_MS (and not absurdly more). */
const TOOK = 'took (0\\.(1|2|3|4|5|6|7|8|9)\\d\\d|1\\.\\d{3}) seconds';

/** The "took N.NNN seconds" of a message, as a number. */
function took(message: string): number {
  return Number(/ took (\d+\.\d{3}) seconds$/.exec(message)![1]);
}

describe('debug mode switches', () => {
  const saved = process.env.ASYNCIO_TS_DEBUG;
  afterEach(() => {
    if (saved === undefined) delete process.env.ASYNCIO_TS_DEBUG;
    else process.env.ASYNCIO_TS_DEBUG = saved;
  });

  it('is off by default and follows setDebug()', () => {
    delete process.env.ASYNCIO_TS_DEBUG;
    const loop = guard.newLoop();
    expect(loop.getDebug()).toBe(false);
    loop.setDebug(true);
    expect(loop.getDebug()).toBe(true);
    loop.setDebug(false);
    expect(loop.getDebug()).toBe(false);
    loop.close();
  });

  it('is on for a loop made with {debug: true}', () => {
    const loop = guard.newLoop({ debug: true });
    expect(loop.getDebug()).toBe(true);
    expect(String(loop)).toMatch(/debug=true>$/);
    loop.close();
  });

  it('follows ASYNCIO_TS_DEBUG when a loop is made; 0 and empty mean off', () => {
    process.env.ASYNCIO_TS_DEBUG = '1';
    const on = guard.newLoop();
    process.env.ASYNCIO_TS_DEBUG = '0';
    const zero = guard.newLoop();
    process.env.ASYNCIO_TS_DEBUG = '';
    const empty = guard.newLoop();
    process.env.ASYNCIO_TS_DEBUG = '1';
    const overridden = guard.newLoop({ debug: false });
    expect([on.getDebug(), zero.getDebug(), empty.getDebug(), overridden.getDebug()]).toEqual([true, false, false, false]);
    for (const loop of [on, zero, empty, overridden]) loop.close();
    guard.takeLogs('debug');
  });

  it('is on inside run(main, {debug: true})', async () => {
    delete process.env.ASYNCIO_TS_DEBUG;
    const debug = await run(async () => getRunningLoop().getDebug(), { debug: true });
    const plain = await run(async () => getRunningLoop().getDebug());
    expect([debug, plain]).toEqual([true, false]);
    guard.takeLogs('debug');
  });

  it('is on inside run(main) when ASYNCIO_TS_DEBUG=1, unless run says {debug: false}', async () => {
    process.env.ASYNCIO_TS_DEBUG = '1';
    const fromEnvironment = await run(function* () {
      yield* sleep(0);
      return getRunningLoop().getDebug();
    });
    const overridden = await run(async () => getRunningLoop().getDebug(), { debug: false });
    expect([fromEnvironment, overridden]).toEqual([true, false]);
    guard.takeLogs('debug');
  });

  it('logs "Close <loop>" at debug level when a debug loop closes', () => {
    const loop = guard.newLoop({ debug: true });
    loop.close();
    expect(guard.takeLogs('debug').map((entry) => entry.message)).toEqual([expect.stringMatching(/^Close <EventLoop #\d+ running=false closed=false debug=true>$/)]);
  });
});

describe('slow callbacks in debug mode', () => {
  it('are reported to the logger with the callback, where it was scheduled, and how long it took', async () => {
    const loop = debugLoop({ handler: false });
    const line = callerLine() + 1;
    loop.callSoon(function slowWork(_label: string) { busyWait(SLOW_MS); }, 'job');
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    const warnings = guard.takeLogs('warn').map((entry) => entry.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^Executing <Handle slowWork\\('job'\\) created at ${escapedFile}:${line}:\\d+> took \\d\\.\\d{3} seconds$`));
    expect(took(warnings[0]!)).toBeGreaterThanOrEqual(SLOW_MS / 1000);
    expect(took(warnings[0]!)).toBeLessThan(2);
    loop.close();
    guard.takeLogs('debug');
  });

  it('are reported for a slow timer with its TimerHandle', async () => {
    const loop = debugLoop({ handler: false });
    const line = callerLine() + 1;
    loop.callLater(0.001, function slowTimer() { busyWait(SLOW_MS); });
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    const warnings = guard.takeLogs('warn').map((entry) => entry.message);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^Executing <TimerHandle when=\\d+\\.\\d{3} slowTimer\\(\\) created at ${escapedFile}:${line}:\\d+> ${TOOK}$`))]);
    loop.close();
    guard.takeLogs('debug');
  });

  it('go to the exception handler instead when one is set', async () => {
    const loop = debugLoop();
    const handle = loop.callSoon(function slowWork() {
      busyWait(SLOW_MS);
    });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    const contexts = guard.takeErrors();
    expect(contexts).toEqual([{ message: expect.stringMatching(/^Executing <Handle slowWork\(\) created at .+> took 0\.[1-9]\d\d seconds$/), handle }]);
    expect(guard.takeLogs('warn')).toEqual([]);
    loop.close();
    guard.takeLogs('debug');
  });

  it('are not reported when they are faster than slowCallbackDuration', async () => {
    const loop = debugLoop({ handler: false });
    loop.slowCallbackDuration = 0.5;
    loop.callSoon(() => busyWait(30));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(guard.takeLogs('warn')).toEqual([]);
    loop.close();
    guard.takeLogs('debug');
  });

  it('are not reported outside debug mode', async () => {
    const loop = guard.track(new EventLoop({ debug: false }), { handler: false });
    loop.slowCallbackDuration = 0.01;
    loop.callSoon(() => busyWait(SLOW_MS));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(guard.takeLogs('warn')).toEqual([]);
    loop.close();
  });

  it('follow setDebug() on a loop that is already running', async () => {
    const loop = guard.track(new EventLoop({ debug: false }), { handler: false });
    loop.slowCallbackDuration = 0.05;
    loop.callSoon(() => loop.setDebug(true));
    loop.callSoon(() => loop.callSoon(function slowAfterSwitch() { busyWait(SLOW_MS); }));
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    expect(guard.takeLogs('warn').map((entry) => entry.message)).toEqual([expect.stringMatching(/^Executing <Handle slowAfterSwitch\(\) created at .+> took/)]);
    loop.close();
    guard.takeLogs('debug');
  });
});

describe.each(shapes)('slow steps of an %s task in debug mode', (shape) => {
  it('are reported with the task\'s name, coroutine and creation site, for the first step', async () => {
    const loop = debugLoop({ handler: false });
    const slowStart =
      shape === 'async function'
        ? async function slowStart() {
            busyWait(SLOW_MS);
          }
        : function* slowStart(): Coroutine<void> {
            busyWait(SLOW_MS);
          };
    const line = callerLine() + 1;
    await loop.runUntilComplete(loop.createTask(slowStart, { name: 'starter' }));
    const warnings = guard.takeLogs('warn').map((entry) => entry.message);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^Executing <Task (pending|finished) name='starter' coro=<slowStart\\(\\)>.* created at ${escapedFile}:${line}:\\d+> ${TOOK}$`)),
    ]);
    loop.close();
    guard.takeLogs('debug');
  });

  it('are reported for a step after an await', async () => {
    const loop = debugLoop({ handler: false });
    const slowLater =
      shape === 'async function'
        ? async function slowLater() {
            await sleep(0.001);
            busyWait(SLOW_MS);
            await sleep(0.001);
          }
        : function* slowLater(): Coroutine<void> {
            yield* sleep(0.001);
            busyWait(SLOW_MS);
            yield* sleep(0.001);
          };
    const line = callerLine() + 1;
    await loop.runUntilComplete(loop.createTask(slowLater, { name: 'later' }));
    const warnings = guard.takeLogs('warn').map((entry) => entry.message);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^Executing <Task pending name='later' coro=<slowLater\\(\\)>.* created at ${escapedFile}:${line}:\\d+> ${TOOK}$`)),
    ]);
    loop.close();
    guard.takeLogs('debug');
  });

  it('are reported when the iteration that resumed the task used up its time slice', async () => {
    const loop = debugLoop({ handler: false });
    const gate = loop.createFuture<void>();
    const slowAfterGate =
      shape === 'async function'
        ? async function slowAfterGate() {
            await gate;
            busyWait(SLOW_MS);
          }
        : function* slowAfterGate(): Coroutine<void> {
            yield* gate;
            busyWait(SLOW_MS);
          };
    const task = loop.createTask(slowAfterGate, { name: 'gated' });
    loop.callLater(0.01, () => {
      gate.setResult();
      // Runs in the iteration that resumes the task, after its wake-up: the
      // hosted loop's slice (2 ms) is over, so Node gets a turn before the
      // next iteration.
      loop.callSoon(() => busyWait(5));
    });
    await loop.runUntilComplete(task);
    const warnings = guard.takeLogs('warn').map((entry) => entry.message);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^Executing <Task .*name='gated' coro=<slowAfterGate\\(\\)>.* ${TOOK}$`))]);
    loop.close();
    guard.takeLogs('debug');
  });

  it('go to the exception handler when one is set', async () => {
    const loop = debugLoop();
    const slowLater =
      shape === 'async function'
        ? async function slowLater() {
            await sleep(0.001);
            busyWait(SLOW_MS);
          }
        : function* slowLater(): Coroutine<void> {
            yield* sleep(0.001);
            busyWait(SLOW_MS);
          };
    await loop.runUntilComplete(slowLater);
    expect(guard.takeErrors().map((context) => context.message)).toEqual([expect.stringMatching(/^Executing <Task .*coro=<slowLater\(\)>.* took 0\.[1-9]\d\d seconds$/)]);
    expect(guard.takeLogs('warn')).toEqual([]);
    loop.close();
    guard.takeLogs('debug');
  });

  it('are reported by run(main, {debug: true}) with the default threshold of 0.1 s', async () => {
    const slowMain =
      shape === 'async function'
        ? async function slowMain() {
            await sleep(0);
            busyWait(120);
          }
        : function* slowMain(): Coroutine<void> {
            yield* sleep(0);
            busyWait(120);
          };
    await run(slowMain, { debug: true });
    const warnings = guard.takeLogs('warn').map((entry) => entry.message);
    expect(warnings).toEqual([expect.stringMatching(/^Executing <Task .*coro=<slowMain\(\)>.* created at .+> took \d\.\d{3} seconds$/)]);
    expect(took(warnings[0]!)).toBeGreaterThanOrEqual(0.12);
    guard.takeLogs('debug');
  });
});

describe('debug-mode context for errors', () => {
  it('gives an error in a callback the stack where the callback was scheduled', async () => {
    const loop = debugLoop();
    const line = callerLine() + 1;
    loop.callSoon(function failing() { throw new Error('boom'); });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    const [context] = guard.takeErrors();
    expect(context!.message).toBe('Exception in callback failing()');
    expect(context!.sourceTraceback).toContain(`${thisFile}:${line}:`);
    loop.close();
    guard.takeLogs('debug');
  });

  it('prints that stack through the default handler, most recent call first', async () => {
    const loop = debugLoop({ handler: false });
    const line = callerLine() + 1;
    loop.callSoon(function failing() { throw new Error('boom'); });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    const [entry] = guard.takeLogs('error');
    const lines = entry!.message.split('\n');
    expect(lines[0]).toBe('Exception in callback failing()');
    expect(lines[1]).toMatch(new RegExp(`^handle: <Handle failing\\(\\) created at ${escapedFile}:${line}:\\d+>$`));
    expect(lines[2]).toBe('Object created at (most recent call first):');
    expect(lines[3]).toMatch(/^\s+at /);
    expect(entry!.message).toContain(`${thisFile}:${line}:`);
    expect(entry!.message).toMatch(/\nError: boom\n\s+at failing/);
    loop.close();
    guard.takeLogs('debug');
  });

  it('keeps a cancelled handle\'s description for its repr', () => {
    const loop = debugLoop();
    const handle = loop.callSoon(function described() {});
    handle.cancel();
    expect(String(handle)).toMatch(/^<Handle cancelled described\(\) created at .+debug-mode\.test\.ts:\d+:\d+>$/);
    loop.close();
    guard.takeLogs('debug');
  });
});
