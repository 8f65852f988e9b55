// The error classes of @asyncio-ts/core: names, stable codes, the hierarchy,
// and isInstance() across duplicate installs of the package.
import { describe, expect, it } from 'vitest';
import {
  AsyncioError,
  CancelledError,
  ExceptionGroup,
  Future,
  IncompleteReadError,
  InvalidStateError,
  KeyboardInterrupt,
  LimitOverrunError,
  RuntimeError,
  TimeoutError,
  ValueError,
  getRunningLoop,
} from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';

type ErrorsModule = typeof import('../src/errors.js');

/**
 * A second copy of the errors module, as a duplicate install (two versions of
 * the package in node_modules, or its ESM and CJS builds) would load: the same
 * source under another module id, so its classes are distinct objects.
 */
async function duplicateInstall(): Promise<ErrorsModule> {
  const specifier = '../src/errors.js?duplicate-install';
  return (await import(/* @vite-ignore */ specifier)) as ErrorsModule;
}

const marker = Symbol.for('asyncio-ts.error');

const simpleClasses = [
  { Class: AsyncioError, name: 'AsyncioError', code: 'ASYNCIO_ERROR' },
  { Class: CancelledError, name: 'CancelledError', code: 'ASYNCIO_CANCELLED' },
  { Class: TimeoutError, name: 'TimeoutError', code: 'ASYNCIO_TIMEOUT' },
  { Class: InvalidStateError, name: 'InvalidStateError', code: 'ASYNCIO_INVALID_STATE' },
  { Class: RuntimeError, name: 'RuntimeError', code: 'ASYNCIO_RUNTIME' },
  { Class: ValueError, name: 'ValueError', code: 'ASYNCIO_VALUE' },
] as const;

describe.each(simpleClasses.map((entry) => [entry.name, entry] as const))('%s', (_name, { Class, name, code }) => {
  it(`has the name ${name} and the code ${code}`, () => {
    const error = new Class('something happened');
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toBe('something happened');
    expect(String(error)).toBe(`${name}: something happened`);
    expect(error.stack).toMatch(new RegExp(`^${name}: something happened\\n`));
  });

  it('is an Error and an AsyncioError', () => {
    const error = new Class();
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(AsyncioError);
    expect(error.message).toBe('');
  });

  it('keeps a cause', () => {
    const cause = new Error('underlying');
    expect(new Class('wrapped', { cause }).cause).toBe(cause);
  });

  it('is recognised by its own isInstance() and by AsyncioError.isInstance()', () => {
    const error = new Class('x');
    expect(Class.isInstance(error)).toBe(true);
    expect(AsyncioError.isInstance(error)).toBe(true);
  });

  it('is told apart from plain errors and other values by isInstance()', () => {
    expect(Class.isInstance(new Error('plain'))).toBe(false);
    expect(Class.isInstance(null)).toBe(false);
    expect(Class.isInstance(undefined)).toBe(false);
    expect(Class.isInstance(name)).toBe(false);
    expect(Class.isInstance({ name, code })).toBe(false);
  });

  it('is recognised by isInstance() when made by a duplicate install', async () => {
    const copy = await duplicateInstall();
    const CopyClass = copy[name] as unknown as new (message?: string) => Error;
    expect(CopyClass).not.toBe(Class);
    const foreign = new CopyClass('from the other copy');
    expect(foreign).not.toBeInstanceOf(Class);
    expect(Class.isInstance(foreign)).toBe(true);
    expect(AsyncioError.isInstance(foreign)).toBe(true);
  });

  it('is recognised by isInstance() from an object that only carries the marker', () => {
    const marked = Object.defineProperty(new Error('marked'), marker, { value: name });
    expect(Class.isInstance(marked)).toBe(true);
    expect(AsyncioError.isInstance(marked)).toBe(true);
  });
});

describe('isInstance() and the hierarchy', () => {
  it('does not take one subclass for another', () => {
    expect(CancelledError.isInstance(new TimeoutError())).toBe(false);
    expect(TimeoutError.isInstance(new CancelledError())).toBe(false);
    expect(RuntimeError.isInstance(new InvalidStateError())).toBe(false);
  });

  it('does not take a marked object of another class for this one', () => {
    const marked = Object.defineProperty(new Error('marked'), marker, { value: 'TimeoutError' });
    expect(CancelledError.isInstance(marked)).toBe(false);
    expect(TimeoutError.isInstance(marked)).toBe(true);
  });

  it('does not take a duplicate install’s class for another one', async () => {
    const copy = await duplicateInstall();
    expect(CancelledError.isInstance(new copy.TimeoutError())).toBe(false);
    expect(ValueError.isInstance(new copy.RuntimeError())).toBe(false);
  });

  it('recognises a user subclass through its base', () => {
    class ShutdownCancelled extends CancelledError {}
    const error = new ShutdownCancelled('shutdown');
    expect(error.name).toBe('ShutdownCancelled');
    expect(error.code).toBe('ASYNCIO_CANCELLED');
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(ShutdownCancelled.isInstance(error)).toBe(true);
    expect(ShutdownCancelled.isInstance(new CancelledError())).toBe(false);
  });

  it("recognises a duplicate install's user subclass through its base", async () => {
    const copy = await duplicateInstall();
    class ForeignShutdown extends copy.CancelledError {}
    expect(CancelledError.isInstance(new ForeignShutdown('x'))).toBe(true);
    expect(TimeoutError.isInstance(new ForeignShutdown('x'))).toBe(false);
  });
});

describe('IncompleteReadError', () => {
  it('has partial, expected, its code and a message saying how much was read', () => {
    const partial = new Uint8Array([1, 2, 3]);
    const error = new IncompleteReadError(partial, 10);
    expect(error.name).toBe('IncompleteReadError');
    expect(error.code).toBe('ASYNCIO_INCOMPLETE_READ');
    expect(error.partial).toBe(partial);
    expect(error.expected).toBe(10);
    expect(error.message).toBe('3 bytes read on a total of 10 expected bytes');
    expect(IncompleteReadError.isInstance(error)).toBe(true);
    expect(AsyncioError.isInstance(error)).toBe(true);
  });

  it('says undefined when no size was expected (read until EOF), as asyncio does', () => {
    const error = new IncompleteReadError(new Uint8Array(0), null);
    expect(error.expected).toBeNull();
    expect(error.message).toBe('0 bytes read on a total of undefined expected bytes');
  });
});

describe('LimitOverrunError', () => {
  it('has consumed, its code and the message', () => {
    const error = new LimitOverrunError('Separator is not found, and chunk exceed the limit', 65_536);
    expect(error.name).toBe('LimitOverrunError');
    expect(error.code).toBe('ASYNCIO_LIMIT_OVERRUN');
    expect(error.consumed).toBe(65_536);
    expect(error.message).toBe('Separator is not found, and chunk exceed the limit');
    expect(LimitOverrunError.isInstance(error)).toBe(true);
  });
});

describe('KeyboardInterrupt', () => {
  it("has its name, code and the message 'interrupted' by default", () => {
    const error = new KeyboardInterrupt();
    expect(error.name).toBe('KeyboardInterrupt');
    expect(error.code).toBe('ASYNCIO_KEYBOARD_INTERRUPT');
    expect(error.message).toBe('interrupted');
    expect(KeyboardInterrupt.isInstance(error)).toBe(true);
    expect(CancelledError.isInstance(error)).toBe(false);
  });
});

describe('ExceptionGroup', () => {
  it('lists every error in both exceptions and errors, and counts them in the message', () => {
    const first = new Error('first');
    const second = new TypeError('second');
    const group = new ExceptionGroup('unhandled errors in a TaskGroup', [first, second]);
    expect(group.name).toBe('ExceptionGroup');
    expect(group.code).toBe('ASYNCIO_EXCEPTION_GROUP');
    expect(group.message).toBe('unhandled errors in a TaskGroup (2 sub-exceptions)');
    expect(group.exceptions).toEqual([first, second]);
    expect(group.errors).toEqual([first, second]);
    expect(group).toBeInstanceOf(AggregateError);
    expect(group).toBeInstanceOf(Error);
  });

  it('says sub-exception for one error', () => {
    expect(new ExceptionGroup('one', [new Error('only')]).message).toBe('one (1 sub-exception)');
  });

  it('is recognised by isInstance(), also from a duplicate install, and a plain AggregateError is not', async () => {
    const copy = await duplicateInstall();
    expect(ExceptionGroup.isInstance(new ExceptionGroup('x', []))).toBe(true);
    expect(ExceptionGroup.isInstance(new copy.ExceptionGroup('x', []))).toBe(true);
    expect(ExceptionGroup.isInstance(new AggregateError([], 'plain'))).toBe(false);
    expect(ExceptionGroup.isInstance(new Error('plain'))).toBe(false);
    expect(ExceptionGroup.isInstance(null)).toBe(false);
  });
});

describe('the errors core throws', () => {
  it('carry their class and code: InvalidStateError from a pending Future', () => {
    const loop = new TestLoop();
    try {
      const future = new Future({ loop });
      let caught: unknown;
      try {
        future.result();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidStateError);
      expect((caught as InvalidStateError).code).toBe('ASYNCIO_INVALID_STATE');
    } finally {
      loop.close();
    }
  });

  it('carry their class and code: RuntimeError with no running loop', () => {
    let caught: unknown;
    try {
      getRunningLoop();
    } catch (error) {
      caught = error;
    }
    expect(RuntimeError.isInstance(caught)).toBe(true);
    expect((caught as RuntimeError).code).toBe('ASYNCIO_RUNTIME');
  });
});
