// DefaultSelector: picks the best poller that really works (Python's _can_use).
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DefaultSelector, EVENT_WRITE, NotImplementedError, PollLikeSelector } from '../src/index.js';
import { createFakeBinding } from './fixtures/fake-binding.js';

describe('DefaultSelector', () => {
  it('uses epoll on Linux and kqueue on macOS', () => {
    using selector = new DefaultSelector();
    const expected = process.platform === 'linux' ? 'epoll' : process.platform === 'darwin' ? 'kqueue' : selector.kind;
    expect(selector.kind).toBe(expected);
    expect(selector).toBeInstanceOf(PollLikeSelector);
    expect(inspect(selector)).toBe(`DefaultSelector [${expected}, fds:0]`);
  });

  it('prefers epoll on a binding that has it', () => {
    using selector = new DefaultSelector(createFakeBinding());
    expect(selector.kind).toBe('epoll');
  });

  it('falls back to poll(2) where the binding has no epoll', () => {
    const fake = createFakeBinding({ withoutEpoll: true });
    using selector = new DefaultSelector(fake);
    expect(selector.kind).toBe('poll');
    const [, writeFd] = fake.pipe(true);
    const key = selector.register(writeFd, EVENT_WRITE);
    expect(selector.select(0)).toEqual([[key, EVENT_WRITE]]);
  });

  it('falls back to poll(2) where creating an epoll fails (ENOSYS), by really trying', () => {
    using selector = new DefaultSelector(createFakeBinding({ epollFails: 'ENOSYS' }));
    expect(selector.kind).toBe('poll');
  });

  it('throws a NotImplementedError when no poller works', () => {
    const fake = createFakeBinding({ withoutEpoll: true });
    const { Poll: _, ...withoutPoll } = fake;
    expect(() => new DefaultSelector(withoutPoll)).toThrow(NotImplementedError);
    expect(() => new DefaultSelector(withoutPoll)).toThrow(/none of kqueue, epoll or poll\(2\) works/);
  });
});
