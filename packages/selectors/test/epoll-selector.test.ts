// EpollSelector's own behaviour beyond the shared suite: its epoll fd, the
// files epoll refuses, and its absence where there is no epoll.
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EpollSelector, EVENT_READ, NotImplementedError, OSError, os } from '../src/index.js';
import { createFakeBinding } from './fixtures/fake-binding.js';

describe.runIf(process.platform === 'linux')('EpollSelector', () => {
  it('owns an epoll fd until close() releases it', () => {
    const selector = new EpollSelector();
    const epollFd = selector.fileno();
    expect(epollFd).toBeGreaterThanOrEqual(0);
    expect(os.getBlocking(epollFd)).toBe(true);
    selector.close();
    expect(() => os.getBlocking(epollFd)).toThrow(OSError);
    expect(() => selector.fileno()).toThrow(/fileno\(\): the selector is closed/);
  });

  it('refuses a regular file with an OSError (EPERM) that suggests PollSelector', () => {
    using selector = new EpollSelector();
    const fd = openSync(fileURLToPath(import.meta.url), 'r');
    try {
      expect(() => selector.register(fd, EVENT_READ)).toThrow(OSError);
      expect(() => selector.register(fd, EVENT_READ)).toThrow(/EPERM.*use PollSelector/);
      expect(selector.getMap().size).toBe(0);
    } finally {
      closeSync(fd);
    }
  });
});

describe('EpollSelector without epoll', () => {
  it('throws a NotImplementedError that points to DefaultSelector', () => {
    const fake = createFakeBinding({ withoutEpoll: true });
    expect(() => new EpollSelector(fake)).toThrow(NotImplementedError);
    expect(() => new EpollSelector(fake)).toThrow(/EpollSelector needs epoll\(7\).*use DefaultSelector/);
  });

  it('throws an OSError when the kernel cannot make one', () => {
    expect(() => new EpollSelector(createFakeBinding({ epollFails: 'EMFILE' }))).toThrow(/new EpollSelector\(\): .*EMFILE/);
  });
});
