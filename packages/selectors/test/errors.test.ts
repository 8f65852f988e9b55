// The error classes: Python's names, codes, the OSError family by errno, and
// isInstance() across copies of the package (and with core's errors).
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  BlockingIOError,
  BrokenPipeError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  InterruptedError,
  KeyError,
  NativeAddonError,
  NotImplementedError,
  OSError,
  RuntimeError,
  SelectorsError,
  ValueError,
} from '../src/index.js';

describe('errors', () => {
  it.each([
    [ValueError, 'ASYNCIO_VALUE'],
    [KeyError, 'ASYNCIO_KEY'],
    [RuntimeError, 'ASYNCIO_RUNTIME'],
    [NotImplementedError, 'ASYNCIO_NOT_IMPLEMENTED'],
    [NativeAddonError, 'SELECTORS_ADDON_MISSING'],
  ])('%o has its name and a stable code', (Class, code) => {
    const error = new Class('message');
    expect(error).toBeInstanceOf(SelectorsError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(Class.name);
    expect(error.code).toBe(code);
    expect(error.message).toBe('message');
  });

  it.each([
    ['EBADF', OSError],
    ['EAGAIN', BlockingIOError],
    ['EINTR', InterruptedError],
    ['EPIPE', BrokenPipeError],
    ['ECONNRESET', ConnectionResetError],
    ['ECONNREFUSED', ConnectionRefusedError],
  ] as const)('OSError.fromErrno(%s) makes a %o', (code, Class) => {
    const errno = constants.errno[code];
    const error = OSError.fromErrno(errno, { syscall: 'test' });
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(OSError);
    expect(error).toMatchObject({ errno, code, syscall: 'test', name: Class.name });
  });

  it('puts the context, errno, code, text, call and hint in the message', () => {
    const error = OSError.fromErrno(constants.errno.EBADF, { context: 'register(): fd 42', syscall: 'epoll_ctl', hint: 'open it first' });
    expect(error.message).toBe(`register(): fd 42: [Errno ${constants.errno.EBADF}] EBADF: bad file descriptor (epoll_ctl); open it first`);
    expect(error.strerror).toBe('bad file descriptor');
  });

  it('makes connection errors ConnectionErrors', () => {
    expect(OSError.fromErrno(constants.errno.EPIPE)).toBeInstanceOf(ConnectionError);
  });

  it('gives an unknown errno a generic code', () => {
    const error = new OSError(99999);
    expect(error.code).toBe('E99999');
    expect(error.message).toContain('unknown error 99999');
  });

  it('recognises an error from another copy of the package by its marker and name', () => {
    const marker = Symbol.for('asyncio-ts.error');
    class ValueError extends Error {}
    const foreign = new ValueError('elsewhere');
    Object.defineProperty(foreign, marker, { value: 'ValueError' });
    expect(foreign).not.toBeInstanceOf(SelectorsError);
    expect(SelectorsError.isInstance(new KeyError())).toBe(true);
    expect(KeyError.isInstance(new ValueError())).toBe(false);
    expect(KeyError.isInstance(new Error())).toBe(false);
    expect(KeyError.isInstance(null)).toBe(false);
  });
});
