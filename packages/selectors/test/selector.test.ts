// The one suite every selector passes: PollSelector, EpollSelector (Linux),
// KqueueSelector (macOS), DefaultSelector, and the poll-like selector on the
// fake binding (after uvloop's _TestBase and CPython's test_selectors).
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EVENT_READ,
  EVENT_WRITE,
  KeyError,
  OSError,
  RuntimeError,
  ValueError,
  type BaseSelector,
} from '../src/index.js';
import { variants } from './fixtures/variants.js';

describe.each(variants)('$name', ({ create, io }) => {
  let selector: BaseSelector<unknown>;
  let opened: number[];

  // Opens a pipe or socket pair whose fds are closed after the test.
  function pair(kind: 'pipe' | 'socketpair'): [number, number] {
    const fds = io[kind](true);
    opened.push(...fds);
    return fds;
  }

  function close(fd: number): void {
    io.close(fd);
    opened = opened.filter((open) => open !== fd);
  }

  beforeEach(() => {
    selector = create();
    opened = [];
  });

  afterEach(() => {
    selector.close();
    for (const fd of opened) io.close(fd);
  });

  describe('register', () => {
    it('returns a key with the file object, its fd, the events and the data', () => {
      const [readFd] = pair('pipe');
      const key = selector.register(readFd, EVENT_READ, 'reader');
      expect(key).toMatchObject({ fileobj: readFd, fd: readFd, events: EVENT_READ, data: 'reader' });
      expect(selector.getKey(readFd)).toBe(key);
      expect(selector.getMap().get(readFd)).toBe(key);
    });

    it('leaves data undefined when none is given', () => {
      const [readFd] = pair('pipe');
      expect(selector.register(readFd, EVENT_READ).data).toBeUndefined();
    });

    it('takes an object with fileno(), found again by the object or its fd', () => {
      const [readFd] = pair('pipe');
      const file = { fileno: () => readFd };
      const key = selector.register(file, EVENT_READ);
      expect(key.fileobj).toBe(file);
      expect(key.fd).toBe(readFd);
      expect(selector.getKey(file)).toBe(key);
      expect(selector.getKey(readFd)).toBe(key);
      expect(selector.unregister(file)).toBe(key);
    });

    it('throws a KeyError when the fd is already registered, by any file object', () => {
      const [readFd] = pair('pipe');
      const key = selector.register(readFd, EVENT_READ, 'first');
      expect(() => selector.register(readFd, EVENT_WRITE)).toThrow(KeyError);
      expect(() => selector.register({ fileno: () => readFd }, EVENT_READ)).toThrow(/already registered; use modify\(\)/);
      expect(selector.getKey(readFd)).toBe(key);
    });

    it.each([
      ['a negative fd', -1],
      ['a fractional fd', 1.5],
      ['a string', '3'],
      ['null', null],
      ['an object without fileno()', {}],
      ['an object whose fileno() gives -1', { fileno: () => -1 }],
      ['an object whose fileno() throws', { fileno: () => { throw new Error('closed'); } }],
    ])('throws a ValueError for %s', (_, fileobj) => {
      expect(() => selector.register(fileobj as number, EVENT_READ)).toThrow(ValueError);
      expect(selector.getMap().size).toBe(0);
    });

    it.each([0, 4, -1, 1.5, EVENT_READ | EVENT_WRITE | 4, '1', undefined])(
      'throws a ValueError for the events mask %s',
      (events) => {
        const [readFd] = pair('pipe');
        expect(() => selector.register(readFd, events as number)).toThrow(ValueError);
        expect(() => selector.register(readFd, events as number)).toThrow(/use EVENT_READ, EVENT_WRITE/);
        expect(selector.getMap().size).toBe(0);
      },
    );

    it('throws an OSError (EBADF) for an fd that is not open, and keeps no key', () => {
      const [readFd, writeFd] = pair('pipe');
      close(readFd);
      close(writeFd);
      let thrown: unknown;
      try {
        selector.register(readFd, EVENT_READ);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(OSError);
      expect(thrown).toMatchObject({ code: 'EBADF', errno: 9 });
      expect((thrown as Error).message).toMatch(/register\(\): fd \d+: \[Errno 9\] EBADF.*not open/);
      expect(selector.getMap().size).toBe(0);
    });
  });

  describe('unregister', () => {
    it('returns the key and stops reporting the fd', () => {
      const [readFd, writeFd] = pair('pipe');
      const key = selector.register(readFd, EVENT_READ);
      io.write(writeFd, Buffer.from('x'));
      expect(selector.unregister(readFd)).toBe(key);
      expect(selector.getMap().has(readFd)).toBe(false);
      expect(selector.select(0)).toEqual([]);
    });

    it('throws a KeyError for a file object that is not registered', () => {
      const [readFd] = pair('pipe');
      expect(() => selector.unregister(readFd)).toThrow(KeyError);
      expect(() => selector.unregister(readFd)).toThrow(/is not registered/);
    });

    it('unregisters an fd closed since it was registered, without error', () => {
      const [readFd] = pair('pipe');
      const key = selector.register(readFd, EVENT_READ);
      close(readFd);
      expect(selector.unregister(readFd)).toBe(key);
    });

    it('finds a closed file object by identity when its fileno() fails', () => {
      const [readFd] = pair('pipe');
      let open = true;
      const file = { fileno: () => (open ? readFd : -1) };
      const key = selector.register(file, EVENT_READ);
      open = false;
      close(readFd);
      expect(selector.unregister(file)).toBe(key);
    });

    it('lets the same fd be registered again', () => {
      const [readFd] = pair('pipe');
      selector.register(readFd, EVENT_READ);
      selector.unregister(readFd);
      expect(selector.register(readFd, EVENT_WRITE | EVENT_READ).events).toBe(EVENT_READ | EVENT_WRITE);
    });
  });

  describe('select', () => {
    it('reports a pipe readable once written to, and not once drained', () => {
      const [readFd, writeFd] = pair('pipe');
      const key = selector.register(readFd, EVENT_READ, 'r');
      expect(selector.select(0)).toEqual([]);
      io.write(writeFd, Buffer.from('hello'));
      const ready = selector.select(0);
      expect(ready).toHaveLength(1);
      expect(ready[0]![0]).toBe(key);
      expect(ready[0]![1]).toBe(EVENT_READ);
      expect(io.read(readFd, Buffer.alloc(16))).toBe(5);
      expect(selector.select(0)).toEqual([]);
    });

    it('reports the write end of a new pipe writable', () => {
      const [, writeFd] = pair('pipe');
      const key = selector.register(writeFd, EVENT_WRITE);
      expect(selector.select(0)).toEqual([[key, EVENT_WRITE]]);
    });

    it('stops reporting a full pipe writable, and reports it again once drained', () => {
      const [readFd, writeFd] = pair('pipe');
      selector.register(writeFd, EVENT_WRITE);
      const chunk = Buffer.alloc(65536, 1);
      while (io.write(writeFd, chunk) !== null);
      expect(selector.select(0)).toEqual([]);
      while ((io.read(readFd, chunk) ?? 0) > 0);
      expect(selector.select(0).map(([key, events]) => [key.fd, events])).toEqual([[writeFd, EVENT_WRITE]]);
    });

    it('reports end of file (the write end closed) as readable', () => {
      const [readFd, writeFd] = pair('pipe');
      const key = selector.register(readFd, EVENT_READ);
      close(writeFd);
      expect(selector.select(0)).toEqual([[key, EVENT_READ]]);
      expect(io.read(readFd, Buffer.alloc(4))).toBe(0);
    });

    it('reports a pipe whose reader is gone as writable, so the writer finds out', () => {
      const [readFd, writeFd] = pair('pipe');
      const key = selector.register(writeFd, EVENT_WRITE);
      close(readFd);
      expect(selector.select(0)).toEqual([[key, EVENT_WRITE]]);
    });

    it('reports a socket pair writable both ways and readable after a send', () => {
      const [left, right] = pair('socketpair');
      const leftKey = selector.register(left, EVENT_READ | EVENT_WRITE, 'left');
      const rightKey = selector.register(right, EVENT_READ | EVENT_WRITE, 'right');
      const events = () => new Map(selector.select(0).map(([key, mask]) => [key.data, mask]));
      expect(events()).toEqual(new Map([['left', EVENT_WRITE], ['right', EVENT_WRITE]]));
      io.write(left, Buffer.from('ping'));
      expect(events()).toEqual(new Map([['left', EVENT_WRITE], ['right', EVENT_READ | EVENT_WRITE]]));
      expect(selector.getKey(left)).toBe(leftKey);
      expect(selector.getKey(right)).toBe(rightKey);
    });

    it('reports a socket whose peer closed as readable, with end of file', () => {
      const [left, right] = pair('socketpair');
      const key = selector.register(right, EVENT_READ);
      close(left);
      expect(selector.select(0)).toEqual([[key, EVENT_READ]]);
      expect(io.read(right, Buffer.alloc(4))).toBe(0);
    });

    it('reports only the events asked for', () => {
      const [left, right] = pair('socketpair');
      selector.register(left, EVENT_READ);
      io.write(right, Buffer.from('x'));
      const readOnly = selector.select(0);
      expect(readOnly.map(([key, events]) => [key.fd, events])).toEqual([[left, EVENT_READ]]);
    });

    it('reports many ready fds in one call', () => {
      const writers = Array.from({ length: 12 }, () => pair('pipe')[1]);
      for (const fd of writers) selector.register(fd, EVENT_WRITE);
      const ready = selector.select(0);
      expect(ready.map(([key]) => key.fd).sort((a, b) => a - b)).toEqual([...writers].sort((a, b) => a - b));
    });

    it('waits at least the timeout when nothing is ready', () => {
      const [readFd] = pair('pipe');
      selector.register(readFd, EVENT_READ);
      const started = performance.now();
      expect(selector.select(0.05)).toEqual([]);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(49);
      expect(elapsed).toBeLessThan(2000);
    });

    it('waits the timeout with nothing registered', () => {
      const started = performance.now();
      expect(selector.select(0.03)).toEqual([]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    });

    it.each([0, -1, -0.5])('does not wait with timeout %s', (timeout) => {
      const [readFd] = pair('pipe');
      selector.register(readFd, EVENT_READ);
      const started = performance.now();
      expect(selector.select(timeout)).toEqual([]);
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it.each([null, undefined])('returns at once with timeout %s when an fd is ready', (timeout) => {
      const [, writeFd] = pair('pipe');
      const key = selector.register(writeFd, EVENT_WRITE);
      expect(selector.select(timeout)).toEqual([[key, EVENT_WRITE]]);
    });

    it.each([['a string', '1'], ['NaN', Number.NaN], ['an object', {}]])('throws a ValueError for %s as timeout', (_, timeout) => {
      expect(() => selector.select(timeout as number)).toThrow(ValueError);
      expect(() => selector.select(timeout as number)).toThrow(/give seconds as a number/);
    });
  });

  describe('modify', () => {
    it('changes the events watched', () => {
      const [left] = pair('socketpair');
      selector.register(left, EVENT_READ, 'data');
      expect(selector.select(0)).toEqual([]);
      const key = selector.modify(left, EVENT_WRITE, 'data');
      expect(key).toMatchObject({ fd: left, events: EVENT_WRITE, data: 'data' });
      expect(selector.getKey(left)).toBe(key);
      expect(selector.select(0)).toEqual([[key, EVENT_WRITE]]);
    });

    it('changes only the data, giving a new key', () => {
      const [left] = pair('socketpair');
      const first = selector.register(left, EVENT_WRITE, 'old');
      const second = selector.modify(left, EVENT_WRITE, 'new');
      expect(second).not.toBe(first);
      expect(first.data).toBe('old');
      expect(second).toMatchObject({ events: EVENT_WRITE, data: 'new' });
      expect(selector.select(0)).toEqual([[second, EVENT_WRITE]]);
    });

    it('keeps the key when nothing changes', () => {
      const [left] = pair('socketpair');
      const key = selector.register(left, EVENT_WRITE, 'same');
      expect(selector.modify(left, EVENT_WRITE, 'same')).toBe(key);
    });

    it('throws a KeyError for a file object that is not registered', () => {
      const [left] = pair('socketpair');
      expect(() => selector.modify(left, EVENT_READ)).toThrow(KeyError);
    });

    it('throws a ValueError for a bad events mask and keeps the key', () => {
      const [left] = pair('socketpair');
      const key = selector.register(left, EVENT_READ);
      expect(() => selector.modify(left, 8)).toThrow(ValueError);
      expect(selector.getKey(left)).toBe(key);
    });
  });

  describe('getKey and getMap', () => {
    it('throws a KeyError from getKey for an unknown or invalid file object', () => {
      const [readFd] = pair('pipe');
      expect(() => selector.getKey(readFd)).toThrow(KeyError);
      expect(() => selector.getKey(-5)).toThrow(KeyError);
    });

    it('gives a live view keyed by fd', () => {
      const map = selector.getMap();
      const [readFd, writeFd] = pair('pipe');
      expect(map.size).toBe(0);
      const readKey = selector.register(readFd, EVENT_READ);
      const writeKey = selector.register(writeFd, EVENT_WRITE);
      expect([...map.keys()].sort()).toEqual([readFd, writeFd].sort());
      expect(map.get(readFd)).toBe(readKey);
      selector.unregister(readFd);
      expect([...map.values()]).toEqual([writeKey]);
      selector.close();
      expect(map.size).toBe(0);
    });
  });

  describe('close', () => {
    it('makes every other method throw a RuntimeError, and may be called again', () => {
      const [readFd] = pair('pipe');
      selector.register(readFd, EVENT_READ);
      selector.close();
      expect(selector.closed).toBe(true);
      expect(() => selector.register(readFd, EVENT_READ)).toThrow(RuntimeError);
      expect(() => selector.unregister(readFd)).toThrow(RuntimeError);
      expect(() => selector.modify(readFd, EVENT_WRITE)).toThrow(RuntimeError);
      expect(() => selector.select(0)).toThrow(RuntimeError);
      expect(() => selector.getKey(readFd)).toThrow(RuntimeError);
      expect(() => selector.getMap()).toThrow(/getMap\(\): the selector is closed; create a new/);
      expect(() => selector.close()).not.toThrow();
    });

    it('is what `using` does at the end of the block', () => {
      const [readFd] = pair('pipe');
      let escaped!: BaseSelector<unknown>;
      {
        using scoped = create();
        scoped.register(readFd, EVENT_READ);
        escaped = scoped;
      }
      expect(escaped.closed).toBe(true);
      expect(() => escaped.select(0)).toThrow(RuntimeError);
    });
  });

  it('prints its state', () => {
    const [readFd] = pair('pipe');
    selector.register(readFd, EVENT_READ, 'input');
    expect(inspect(selector)).toMatch(/Selector \[\w+, fds:1\]$/);
    expect(inspect(selector.getKey(readFd))).toBe(`SelectorKey(fd=${readFd}, events=READ, data='input')`);
    selector.close();
    expect(inspect(selector)).toMatch(/\[\w+, closed\]$/);
  });
});
