// The poll-like base's own mechanics, scripted on the fake binding: timeouts
// handed to the poller, restarts after EINTR (PEP 475), how the poller's bits
// map to EVENT_READ / EVENT_WRITE; and one real signal against real epoll.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  loadBinding,
  OSError,
  PollSelector,
  type SelectorsBinding,
} from '../src/index.js';
import { createFakeBinding, type FakeBinding } from './fixtures/fake-binding.js';

describe('PollLikeSelector', () => {
  let fake: FakeBinding;
  let selector: PollSelector<string>;

  function create(): PollSelector<string> {
    fake = createFakeBinding();
    selector = new PollSelector<string>(fake);
    return selector;
  }

  afterEach(() => selector?.close());

  describe('timeouts', () => {
    it.each([
      [undefined, -1],
      [null, -1],
      [Infinity, -1],
      [0, 0],
      [-3, 0],
      [0.0001, 1],
      [0.0015, 2],
      [0.25, 250],
    ])('hands select(%s) to the poller as %s ms', (timeout, milliseconds) => {
      create();
      const [, writeFd] = fake.pipe(true);
      selector.register(writeFd, EVENT_WRITE);
      selector.select(timeout);
      expect(fake.pollTimeouts).toEqual([milliseconds]);
    });
  });

  describe('EINTR', () => {
    it('waits again for the time left when a signal interrupts the wait', () => {
      create();
      fake.interrupt(2, 40);
      const started = performance.now();
      expect(selector.select(0.2)).toEqual([]);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(199);
      expect(elapsed).toBeLessThan(3000);
      const [first, second, third] = fake.pollTimeouts;
      expect(fake.pollTimeouts).toHaveLength(3);
      expect(first).toBe(200);
      expect(second).toBeLessThanOrEqual(161);
      expect(third).toBeLessThanOrEqual(121);
      expect(third).toBeGreaterThan(0);
    });

    it('returns nothing when the interrupted wait has no time left', () => {
      create();
      fake.interrupt(1, 30);
      expect(selector.select(0.01)).toEqual([]);
      expect(fake.pollTimeouts).toEqual([10]);
    });

    it('polls again without waiting when a zero-timeout poll is interrupted', () => {
      create();
      const [, writeFd] = fake.pipe(true);
      const key = selector.register(writeFd, EVENT_WRITE);
      fake.interrupt(1);
      expect(selector.select(0)).toEqual([[key, EVENT_WRITE]]);
      expect(fake.pollTimeouts).toEqual([0, 0]);
    });

    it('waits for ever again when a wait for ever is interrupted', () => {
      create();
      const [, writeFd] = fake.pipe(true);
      const key = selector.register(writeFd, EVENT_WRITE);
      fake.interrupt(2);
      expect(selector.select()).toEqual([[key, EVENT_WRITE]]);
      expect(fake.pollTimeouts).toEqual([-1, -1, -1]);
    });

    it('keeps waiting through a real signal on the real poller', async () => {
      // Scenario: select(0.6) blocks the thread; 0.1 s in, a child process
      // sends SIGUSR2, which interrupts epoll_wait/poll with EINTR. The wait
      // must go on for the time left: the signal's JavaScript handler can
      // only run after select() returns.
      const real = loadBinding();
      let interrupted = 0;
      const Poller = (real.Epoll ?? real.Kqueue ?? real.Poll)!;
      class Counting extends Poller {
        override poll(timeoutMs: number, out: Int32Array): number {
          const count = super.poll(timeoutMs, out);
          if (count < 0) interrupted++;
          return count;
        }
      }
      const counting: SelectorsBinding = { ...real, Epoll: Counting, Kqueue: Counting, Poll: Counting };
      let handled = 0;
      const onSignal = () => handled++;
      process.on('SIGUSR2', onSignal);
      const child = spawn('sh', ['-c', `sleep 0.1; kill -USR2 ${process.pid}`], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      try {
        using signalled = new DefaultSelector(counting);
        const started = performance.now();
        expect(signalled.select(0.6)).toEqual([]);
        const elapsed = performance.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(599);
        expect(elapsed).toBeLessThan(5000);
        expect(interrupted).toBeGreaterThanOrEqual(1);
        await exited;
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(handled).toBe(1);
      } finally {
        process.off('SIGUSR2', onSignal);
      }
    });
  });

  describe('events', () => {
    it('maps the poller bits through the binding constants, not hard-coded values', () => {
      create();
      const [left, right] = fake.socketpair(true);
      const key = selector.register(left, EVENT_READ | EVENT_WRITE, 'left');
      fake.write(right, Buffer.from('x'));
      expect(selector.select(0)).toEqual([[key, EVENT_READ | EVENT_WRITE]]);
    });

    it('reports a hang-up as both directions, masked by what is watched', () => {
      create();
      const [left, right] = fake.socketpair(true);
      const key = selector.register(left, EVENT_READ | EVENT_WRITE);
      fake.close(right);
      expect(selector.select(0)).toEqual([[key, EVENT_READ | EVENT_WRITE]]);
    });
  });

  describe('failures', () => {
    it('forgets the key when the poller refuses a modify', () => {
      create();
      const [readFd, writeFd] = fake.pipe(true);
      selector.register(readFd, EVENT_READ);
      fake.close(readFd);
      fake.close(writeFd);
      expect(() => selector.modify(readFd, EVENT_WRITE)).toThrow(OSError);
      expect(selector.getMap().has(readFd)).toBe(false);
    });

    it('lets the poller error through select() as an OSError', () => {
      const broken = createFakeBinding();
      class Failing extends broken.Poll! {
        override poll(): number {
          throw Object.assign(new Error('EINVAL (poll)'), { errno: 22, syscall: 'poll' });
        }
      }
      using failing = new PollSelector({ ...broken, Poll: Failing });
      expect(() => failing.select(0)).toThrow(OSError);
      expect(() => failing.select(0)).toThrow(/select\(\): \[Errno 22\] EINVAL/);
    });
  });

  it('reports ready fds with any data type attached', () => {
    fake = createFakeBinding();
    using typed = new DefaultSelector<{ onReady: (events: number) => string }>(fake);
    const [, writeFd] = fake.pipe(true);
    typed.register(writeFd, EVENT_WRITE, { onReady: (events) => `ready ${events}` });
    const results = typed.select(0).map(([key, events]) => key.data.onReady(events));
    expect(results).toEqual([`ready ${EVENT_WRITE}`]);
  });
});
