// BaseSelector on its own: a subclass that only supplies select() gets the
// table of keys, the checks, and Python's default modify() (unregister, then
// register) from the base.
import { describe, expect, it } from 'vitest';
import { BaseSelector, EVENT_READ, EVENT_WRITE, KeyError, ValueError, type SelectorReady } from '../src/index.js';

// Reports every registered fd ready for everything it watches.
class EverythingReady<T> extends BaseSelector<T> {
  unregistered: number[] = [];

  override unregister(fileobj: number | { fileno(): number }) {
    const key = super.unregister(fileobj);
    this.unregistered.push(key.fd);
    return key;
  }

  select(): SelectorReady<T>[] {
    this.checkOpen('select');
    return [...this.getMap().values()].map((key) => [key, key.events]);
  }
}

describe('BaseSelector', () => {
  it('gives a subclass the table of keys, reported by its select()', () => {
    using selector = new EverythingReady<string>();
    const key = selector.register(7, EVENT_READ, 'seven');
    expect(selector.select()).toEqual([[key, EVENT_READ]]);
  });

  it('modifies events by unregistering and registering again, as Python does', () => {
    using selector = new EverythingReady<string>();
    selector.register(7, EVENT_READ, 'seven');
    const key = selector.modify(7, EVENT_WRITE, 'seven');
    expect(selector.unregistered).toEqual([7]);
    expect(key).toMatchObject({ fd: 7, events: EVENT_WRITE, data: 'seven' });
  });

  it('modifies only the data without unregistering', () => {
    using selector = new EverythingReady<string>();
    const first = selector.register(7, EVENT_READ, 'old');
    const second = selector.modify(7, EVENT_READ, 'new');
    expect(selector.unregistered).toEqual([]);
    expect(second).not.toBe(first);
    expect(selector.getKey(7)).toBe(second);
  });

  it('checks the events of modify() before touching the registration', () => {
    using selector = new EverythingReady<string>();
    const key = selector.register(7, EVENT_READ);
    expect(() => selector.modify(7, 0)).toThrow(ValueError);
    expect(selector.unregistered).toEqual([]);
    expect(selector.getKey(7)).toBe(key);
  });

  it('throws a KeyError from modify() for a file object that is not registered', () => {
    using selector = new EverythingReady<string>();
    expect(() => selector.modify(7, EVENT_READ)).toThrow(KeyError);
    expect(() => selector.modify(7, EVENT_READ)).toThrow(/modify\(\): 7 is not registered/);
  });
});

describe('SelectorKey', () => {
  it('is frozen', () => {
    using selector = new EverythingReady<{ name: string }>();
    const key = selector.register(3, EVENT_READ | EVENT_WRITE, { name: 'both' });
    expect(Object.isFrozen(key)).toBe(true);
    expect(() => {
      (key as { events: number }).events = 1;
    }).toThrow(TypeError);
  });
});
