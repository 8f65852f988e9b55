// addSignalHandler and removeSignalHandler: a signal sent to this very
// process runs its callback on the loop; bad signals, SIGKILL, removal, a
// worker thread; and the seed guide's graceful-shutdown service.
//
// Every test sends a signal only while a handler for it is installed: with no
// listener, SIGUSR2, SIGHUP or SIGTERM would end the test process.
import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  EventLoop,
  RuntimeError,
  ValueError,
  getRunningLoop,
  newEventLoop,
  setEventLoop,
  sleep,
  type ExceptionContext,
} from '@asyncio-ts/core';
import { delay, useLoopGuard } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

/** Sends `signal` to this process, after checking that someone listens for it. */
function sendToSelf(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) === 0) throw new Error(`no listener for ${signal}: sending it would end the test process`);
  process.kill(process.pid, signal);
}

describe('EventLoop.addSignalHandler', () => {
  it('runs the callback with its arguments on the loop when the process gets the signal', async () => {
    const loop = guard.newLoop();
    const seen: unknown[] = [];
    loop.addSignalHandler('SIGUSR2', (first: string, second: number) => {
      seen.push(first, second, getRunningLoop() === loop);
      loop.stop();
    }, 'got', 2);
    loop.callSoon(() => sendToSelf('SIGUSR2'));
    await loop.runForever();
    expect(seen).toEqual(['got', 2, true]);
    expect(loop.removeSignalHandler('SIGUSR2')).toBe(true);
    loop.close();
  });

  it('takes the signal as a number', async () => {
    const loop = guard.newLoop();
    let calls = 0;
    loop.addSignalHandler(constants.signals.SIGHUP, () => {
      calls++;
      loop.stop();
    });
    loop.callSoon(() => sendToSelf('SIGHUP'));
    await loop.runForever();
    expect(calls).toBe(1);
    expect(loop.removeSignalHandler('SIGHUP')).toBe(true);
    loop.close();
  });

  it('wakes a loop that waits for a far timer', async () => {
    const loop = guard.newLoop();
    const far = loop.callLater(3600, () => {});
    let ranAfter = -1;
    const started = performance.now();
    loop.addSignalHandler('SIGUSR2', () => {
      ranAfter = performance.now() - started;
      loop.stop();
    });
    setTimeout(() => sendToSelf('SIGUSR2'), 20);
    await loop.runForever();
    far.cancel();
    expect(ranAfter).toBeGreaterThanOrEqual(15);
    expect(ranAfter).toBeLessThan(2000);
    loop.removeSignalHandler('SIGUSR2');
    loop.close();
  });

  it('holds a signal that comes while the loop is not running until it runs', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    loop.addSignalHandler('SIGUSR2', () => trace.push('handled'));
    sendToSelf('SIGUSR2');
    await delay(30);
    trace.push('loop starts');
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    expect(trace).toEqual(['loop starts', 'handled']);
    loop.removeSignalHandler('SIGUSR2');
    loop.close();
  });

  it('replaces an earlier handler for the same signal', async () => {
    const loop = guard.newLoop();
    const listeners = process.listenerCount('SIGUSR2');
    const trace: string[] = [];
    loop.addSignalHandler('SIGUSR2', () => trace.push('first'));
    loop.addSignalHandler('SIGUSR2', () => {
      trace.push('second');
      loop.stop();
    });
    expect(process.listenerCount('SIGUSR2')).toBe(listeners + 1);
    loop.callSoon(() => sendToSelf('SIGUSR2'));
    await loop.runForever();
    expect(trace).toEqual(['second']);
    loop.removeSignalHandler('SIGUSR2');
    loop.close();
  });

  it('reports an error of the callback to the exception handler and keeps the loop running', async () => {
    const loop = guard.newLoop();
    loop.addSignalHandler('SIGUSR2', function onSignal() {
      throw new Error('handler failed');
    });
    loop.callSoon(() => sendToSelf('SIGUSR2'));
    loop.callLater(0.05, () => loop.stop());
    await loop.runForever();
    const contexts = guard.takeErrors();
    expect(contexts.map((context: ExceptionContext) => [context.message, (context.exception as Error).message])).toEqual([
      ['Exception in callback onSignal()', 'handler failed'],
    ]);
    loop.removeSignalHandler('SIGUSR2');
    loop.close();
  });

  it.each([
    ['an unknown name', 'SIGNOPE'],
    ['a lower-case name', 'sigint'],
    ['an unknown number', 9999],
    ['null', null],
  ])('rejects %s with a ValueError that says what to pass', (_label, signal) => {
    const loop = guard.newLoop();
    expect(() => loop.addSignalHandler(signal as never, () => {})).toThrow(ValueError);
    expect(() => loop.addSignalHandler(signal as never, () => {})).toThrow(/invalid signal .*; pass a name such as 'SIGINT' or 'SIGTERM', or its number/);
    loop.close();
  });

  it.each(['SIGKILL', 'SIGSTOP'] as const)('rejects %s, which no process can catch, with a RuntimeError', (signal) => {
    const loop = guard.newLoop();
    const listeners = process.listenerCount(signal);
    expect(() => loop.addSignalHandler(signal, () => {})).toThrow(RuntimeError);
    expect(() => loop.addSignalHandler(signal, () => {})).toThrow(new RegExp(`${signal} cannot be caught`));
    expect(process.listenerCount(signal)).toBe(listeners);
    loop.close();
  });

  it('rejects a callback that is not a function with a TypeError', () => {
    const loop = guard.newLoop();
    expect(() => loop.addSignalHandler('SIGUSR2', 'stop' as never)).toThrow(/addSignalHandler\(\) expects a function as callback/);
    expect(loop.removeSignalHandler('SIGUSR2')).toBe(false);
    loop.close();
  });

  it('throws RuntimeError on a closed loop', () => {
    const loop = guard.newLoop();
    loop.close();
    expect(() => loop.addSignalHandler('SIGUSR2', () => {})).toThrow(/addSignalHandler\(\): Event loop is closed/);
  });

  it('throws a clear RuntimeError in a worker thread', async () => {
    const worker = new Worker(new URL('./fixtures/loop-ts-worker.mjs', import.meta.url), {
      workerData: { entry: new URL('./fixtures/loop-signal-worker.ts', import.meta.url).href },
    });
    try {
      const reply = await new Promise<{ outcome: unknown; removed: boolean }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(reply.outcome).toEqual({
        name: 'RuntimeError',
        message: expect.stringMatching(/^addSignalHandler\(\) works only in the main thread.*callSoonThreadsafe\(\)/),
      });
      expect(reply.removed).toBe(false);
    } finally {
      await worker.terminate();
    }
  });
});

describe('EventLoop.removeSignalHandler', () => {
  it('returns true when it removed a handler, false when there was none', () => {
    const loop = guard.newLoop();
    const listeners = process.listenerCount('SIGHUP');
    expect(loop.removeSignalHandler('SIGHUP')).toBe(false);
    loop.addSignalHandler('SIGHUP', () => {});
    expect(process.listenerCount('SIGHUP')).toBe(listeners + 1);
    expect(loop.removeSignalHandler('SIGHUP')).toBe(true);
    expect(loop.removeSignalHandler('SIGHUP')).toBe(false);
    expect(process.listenerCount('SIGHUP')).toBe(listeners);
    loop.close();
  });

  it('takes the signal as a number too', () => {
    const loop = guard.newLoop();
    loop.addSignalHandler('SIGUSR2', () => {});
    expect(loop.removeSignalHandler(constants.signals.SIGUSR2)).toBe(true);
    loop.close();
  });

  it('removes only this loop\'s handler', () => {
    const loop = guard.newLoop();
    const other = guard.newLoop();
    const listeners = process.listenerCount('SIGUSR2');
    loop.addSignalHandler('SIGUSR2', () => {});
    other.addSignalHandler('SIGUSR2', () => {});
    expect(loop.removeSignalHandler('SIGUSR2')).toBe(true);
    expect(process.listenerCount('SIGUSR2')).toBe(listeners + 1);
    expect(other.removeSignalHandler('SIGUSR2')).toBe(true);
    expect(process.listenerCount('SIGUSR2')).toBe(listeners);
    loop.close();
    other.close();
  });

  it('rejects a bad signal with a ValueError', () => {
    const loop = guard.newLoop();
    expect(() => loop.removeSignalHandler('SIGNOPE' as never)).toThrow(ValueError);
    loop.close();
  });

  it('is done for every handler by close()', () => {
    const loop = guard.newLoop();
    const before = [process.listenerCount('SIGUSR2'), process.listenerCount('SIGHUP')];
    loop.addSignalHandler('SIGUSR2', () => {});
    loop.addSignalHandler('SIGHUP', () => {});
    loop.close();
    expect([process.listenerCount('SIGUSR2'), process.listenerCount('SIGHUP')]).toEqual(before);
  });
});

describe("the seed guide's graceful-shutdown service", () => {
  // async def background_task():
  //     counter = 0
  //     while True:
  //         counter += 1
  //         print(f"Background task iteration {counter}")
  //         await asyncio.sleep(1)
  // def shutdown(loop):
  //     print("Shutting down gracefully...")
  //     loop.stop()
  // def run_service():
  //     loop = asyncio.new_event_loop()
  //     asyncio.set_event_loop(loop)
  //     for sig in (signal.SIGTERM, signal.SIGINT):
  //         loop.add_signal_handler(sig, lambda: shutdown(loop))
  //     loop.create_task(background_task())
  //     try:
  //         print(f"Loop running: {loop.is_running()}")
  //         loop.run_forever()
  //     finally:
  //         print(f"Loop closed: {loop.is_closed()}")
  //         loop.close()
  it.each(['SIGTERM', 'SIGINT'] as const)('runs its background task until %s, then stops and closes the loop', async (signal) => {
    const printed: string[] = [];
    const listeners = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];
    // The background task is still pending when the loop closes, as in the
    // guide; its "destroyed but pending" report may come at any later time.
    const reports: ExceptionContext[] = [];

    async function backgroundTask(): Promise<void> {
      let counter = 0;
      for (;;) {
        counter++;
        printed.push(`Background task iteration ${counter}`);
        await sleep(0.02);
      }
    }

    function shutdown(loop: EventLoop): void {
      printed.push('Shutting down gracefully...');
      loop.stop();
    }

    async function runService(): Promise<void> {
      const loop = guard.track(newEventLoop(), { handler: false });
      loop.setExceptionHandler((_loop, context) => void reports.push(context));
      setEventLoop(loop);
      for (const sig of ['SIGTERM', 'SIGINT'] as const) loop.addSignalHandler(sig, () => shutdown(loop));
      loop.createTask(backgroundTask);
      try {
        printed.push(`Loop running: ${loop.isRunning()}`);
        // The guide's "Ctrl+C": the signal, after a few iterations.
        setTimeout(() => sendToSelf(signal), 70);
        await loop.runForever();
      } finally {
        printed.push(`Loop closed: ${loop.isClosed()}`);
        loop.close();
        setEventLoop(null);
      }
    }

    await runService();
    const iterations = printed.filter((line) => line.startsWith('Background task iteration'));
    expect(iterations.length).toBeGreaterThanOrEqual(2);
    expect(iterations).toEqual(iterations.map((_, index) => `Background task iteration ${index + 1}`));
    expect(printed[0]).toBe('Loop running: false');
    expect(printed.slice(-2)).toEqual(['Shutting down gracefully...', 'Loop closed: false']);
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(listeners);
  });
});
