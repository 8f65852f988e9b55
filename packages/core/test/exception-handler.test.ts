// The loop's exception handler: setExceptionHandler, getExceptionHandler,
// callExceptionHandler and defaultExceptionHandler, with asyncio's context
// objects ({message, exception, handle, ...}). An error in a callback is
// reported and the loop goes on; a handler that throws is reported too.
import { describe, expect, it, vi } from 'vitest';
import { EventLoop, Handle, TimerHandle, setLogger, type BaseEventLoop, type ExceptionContext } from '@asyncio-ts/core';
import { useLoopGuard } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

describe('EventLoop.setExceptionHandler and getExceptionHandler', () => {
  it('has no handler by default, returns the one set, and null restores the default', () => {
    const loop = guard.track(new EventLoop(), { handler: false });
    expect(loop.getExceptionHandler()).toBeNull();
    const handler = () => {};
    loop.setExceptionHandler(handler);
    expect(loop.getExceptionHandler()).toBe(handler);
    loop.setExceptionHandler(null);
    expect(loop.getExceptionHandler()).toBeNull();
    loop.close();
  });

  it('rejects a handler that is not a function or null with a TypeError', () => {
    const loop = guard.newLoop();
    expect(() => loop.setExceptionHandler('log' as never)).toThrow(TypeError);
    expect(() => loop.setExceptionHandler('log' as never)).toThrow(/setExceptionHandler\(\) expects a function \(loop, context\) => void or null, got 'log'/);
    expect(loop.getExceptionHandler()).toBe(guard.handler);
    loop.close();
  });
});

describe('an error in a callback', () => {
  it('reaches the handler with the loop and asyncio\'s context, and the loop keeps running', async () => {
    const loop = guard.track(new EventLoop(), { handler: false });
    const calls: [BaseEventLoop, ExceptionContext][] = [];
    loop.setExceptionHandler((receivedLoop, context) => calls.push([receivedLoop, context]));
    const error = new TypeError('bad callback');
    const trace: string[] = [];
    const handle = loop.callSoon(function failing(_value: number) {
      throw error;
    }, 7);
    loop.callSoon(() => trace.push('same iteration'));
    loop.callLater(0.005, () => {
      trace.push('later timer');
      loop.stop();
    });
    await loop.runForever();
    expect(trace).toEqual(['same iteration', 'later timer']);
    expect(calls).toHaveLength(1);
    const [receivedLoop, context] = calls[0]!;
    expect(receivedLoop).toBe(loop);
    expect(context).toEqual({ message: 'Exception in callback failing(7)', exception: error, handle });
    expect(context.handle).toBeInstanceOf(Handle);
    loop.close();
  });

  it('of a timer gives the TimerHandle', async () => {
    const loop = guard.newLoop();
    const timer = loop.callLater(0.001, function ring() {
      throw new Error('timer failed');
    });
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    const [context] = guard.takeErrors();
    expect(context!.message).toBe('Exception in callback ring()');
    expect(context!.handle).toBe(timer);
    expect(context!.handle).toBeInstanceOf(TimerHandle);
    loop.close();
  });

  it('may be any thrown value, not only an Error', async () => {
    const loop = guard.newLoop();
    loop.callSoon(() => {
      throw 'a string';
    });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    const [context] = guard.takeErrors();
    expect(context!.exception).toBe('a string');
    loop.close();
  });

  it('goes to the logger through the default handler when none is set', async () => {
    const loop = guard.track(new EventLoop(), { handler: false });
    loop.callSoon(function broken() {
      throw new RangeError('out of range');
    });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    const [entry, ...rest] = guard.takeLogs('error');
    expect(rest).toEqual([]);
    expect(entry!.message).toMatch(/^Exception in callback broken\(\)\nhandle: <Handle broken\(\)>\nRangeError: out of range\n\s+at broken/);
    loop.close();
  });
});

describe('a handler that throws', () => {
  it('is reported through the default handler, with the original context, and is not fatal', async () => {
    const loop = guard.track(new EventLoop(), { handler: false });
    loop.setExceptionHandler(() => {
      throw new Error('handler broke');
    });
    const trace: string[] = [];
    loop.callSoon(function first() {
      throw new Error('callback broke');
    });
    loop.callSoon(() => trace.push('still running'));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(trace).toEqual(['still running']);
    const [entry, ...rest] = guard.takeLogs('error');
    expect(rest).toEqual([]);
    expect(entry!.message).toMatch(/^Unhandled error in exception handler\n/);
    expect(entry!.message).toMatch(/context: \{[\s\S]*message: 'Exception in callback first\(\)'/);
    expect(entry!.message).toMatch(/Error: handler broke/);
    loop.close();
  });

  it('does not make callExceptionHandler() throw', () => {
    const loop = guard.track(new EventLoop(), { handler: false });
    loop.setExceptionHandler(() => {
      throw new Error('handler broke');
    });
    expect(() => loop.callExceptionHandler({ message: 'something happened' })).not.toThrow();
    expect(guard.takeLogs('error')).toHaveLength(1);
    loop.close();
  });
});

describe('EventLoop.callExceptionHandler', () => {
  it('passes the context object, extra keys and all, to the handler', () => {
    const loop = guard.newLoop();
    const context = { message: 'custom report', exception: new Error('x'), future: 'some future', custom: 42 };
    loop.callExceptionHandler(context);
    expect(guard.takeErrors()).toEqual([context]);
    loop.close();
  });

  it('uses the default handler when none is set', () => {
    const loop = guard.track(new EventLoop(), { handler: false });
    loop.callExceptionHandler({ message: 'plain report' });
    expect(guard.takeLogs('error').map((entry) => entry.message)).toEqual(['plain report']);
    loop.close();
  });

  it('never throws, even when the logger itself fails', () => {
    const loop = guard.track(new EventLoop(), { handler: false });
    const broken = { debug() {}, info() {}, warn() {}, error() { throw new Error('logger down'); } };
    const previous = setLogger(broken);
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => loop.callExceptionHandler({ message: 'report' })).not.toThrow();
      expect(write).toHaveBeenCalledWith(expect.stringMatching(/^Exception in default exception handler: Error: logger down/));
    } finally {
      write.mockRestore();
      setLogger(previous);
    }
    loop.close();
  });

  it('works on a closed loop, for reports that come late', () => {
    const loop = guard.newLoop();
    loop.close();
    loop.callExceptionHandler({ message: 'late report' });
    expect(guard.takeErrors().map((context) => context.message)).toEqual(['late report']);
  });
});

describe('EventLoop.defaultExceptionHandler', () => {
  it('logs the message, each key of the context, and the exception with its stack', () => {
    const loop = guard.newLoop();
    const handle = loop.callSoon(function work() {});
    const error = new Error('went wrong');
    loop.defaultExceptionHandler({ message: 'Something failed', exception: error, handle, detail: 'extra' });
    const [entry] = guard.takeLogs('error');
    expect(entry!.message.split('\n').slice(0, 4)).toEqual([
      'Something failed',
      'handle: <Handle work()>',
      'detail: extra',
      'Error: went wrong',
    ]);
    expect(entry!.message).toContain('exception-handler.test.ts');
    loop.close();
  });

  it('says "Unhandled exception in event loop" when the message is empty', () => {
    const loop = guard.newLoop();
    loop.defaultExceptionHandler({ message: '' });
    expect(guard.takeLogs('error').map((entry) => entry.message)).toEqual(['Unhandled exception in event loop']);
    loop.close();
  });

  it('can be overridden by a subclass, which then gets what no handler takes', async () => {
    const seen: string[] = [];
    class AuditedLoop extends EventLoop {
      override defaultExceptionHandler(context: ExceptionContext): void {
        seen.push(context.message);
      }
    }
    const loop = guard.track(new AuditedLoop(), { handler: false });
    loop.callSoon(function failing() {
      throw new Error('x');
    });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(seen).toEqual(['Exception in callback failing()']);
    loop.close();
  });

  it('is what a custom handler can fall back to', async () => {
    const loop = guard.track(new EventLoop(), { handler: false });
    const ignored: string[] = [];
    loop.setExceptionHandler((self, context) => {
      if ((context.exception as Error | undefined)?.message === 'expected') ignored.push(context.message);
      else self.defaultExceptionHandler(context);
    });
    loop.callSoon(function quiet() {
      throw new Error('expected');
    });
    loop.callSoon(function loud() {
      throw new Error('unexpected');
    });
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(ignored).toEqual(['Exception in callback quiet()']);
    expect(guard.takeLogs('error').map((entry) => entry.message.split('\n')[0])).toEqual(['Exception in callback loud()']);
    loop.close();
  });
});
