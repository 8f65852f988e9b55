// FdWatcher on Node's own event loop: it fires on real fds, stops, closes
// (also from inside its callback and by garbage collection), and keeps Node
// alive only while it is started and ref'ed (checked in child processes).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  FdWatcher,
  OSError,
  os,
  RuntimeError,
  socketpair,
  ValueError,
} from '../src/index.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

let fds: number[] = [];
let watchers: FdWatcher[] = [];

function pipe(): [number, number] {
  const pair = os.pipe();
  fds.push(...pair);
  return pair;
}

function watch(fd: number, callback: (events: number) => void): FdWatcher {
  const watcher = new FdWatcher(fd, callback);
  watchers.push(watcher);
  return watcher;
}

afterEach(() => {
  for (const watcher of watchers) watcher.close();
  for (const fd of fds) os.close(fd);
  watchers = [];
  fds = [];
});

/** Resolves after a few turns of Node's loop, enough for a ready fd to be polled. */
function turns(milliseconds = 30): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe('FdWatcher', () => {
  it('calls back with EVENT_READ when a pipe becomes readable', async () => {
    const [readFd, writeFd] = pipe();
    const events = await new Promise<number>((resolve) => {
      watch(readFd, resolve).start(EVENT_READ);
      os.write(writeFd, Buffer.from('x'));
    });
    expect(events).toBe(EVENT_READ);
  });

  it('calls back with EVENT_WRITE on a writable socket', async () => {
    const [left, right] = socketpair();
    try {
      const events = await new Promise<number>((resolve) => watch(left.fileno(), resolve).start(EVENT_WRITE));
      expect(events).toBe(EVENT_WRITE);
    } finally {
      left.close();
      right.close();
    }
  });

  it('reports a peer hang-up as EVENT_READ', async () => {
    const [readFd, writeFd] = os.pipe();
    fds.push(readFd);
    const events = new Promise<number>((resolve) => watch(readFd, resolve).start(EVENT_READ));
    os.close(writeFd);
    expect((await events) & EVENT_READ).toBe(EVENT_READ);
  });

  it("wakes when a selector's own fd (epoll, kqueue) has a ready fd, without blocking Node", async (context) => {
    using selector = new DefaultSelector<string>();
    if (selector.fileno() < 0) context.skip(); // poll(2) has no fd to watch
    const [readFd, writeFd] = pipe();
    selector.register(readFd, EVENT_READ, 'pipe');
    const woken = new Promise<number>((resolve) => {
      const watcher = watch(selector.fileno(), (events) => {
        watcher.stop();
        resolve(events);
      });
      watcher.start(EVENT_READ);
    });
    setTimeout(() => os.write(writeFd, Buffer.from('x')), 20);
    expect(await woken).toBe(EVENT_READ);
    const ready = selector.select(0);
    expect(ready.map(([key, events]) => [key.data, events])).toEqual([['pipe', EVENT_READ]]);
  });

  it('keeps calling back while the fd stays ready (level-triggered), until stop()', async () => {
    const [readFd, writeFd] = pipe();
    let calls = 0;
    const watcher = watch(readFd, () => calls++);
    watcher.start(EVENT_READ);
    os.write(writeFd, Buffer.from('x'));
    await turns();
    expect(calls).toBeGreaterThan(1);
    watcher.stop();
    const stoppedAt = calls;
    await turns();
    expect(calls).toBe(stoppedAt);
    expect(watcher.events).toBe(0);
    watcher.start(EVENT_READ);
    await turns();
    expect(calls).toBeGreaterThan(stoppedAt);
  });

  it('changes the events watched with another start()', async () => {
    const [left, right] = socketpair();
    try {
      const seen: number[] = [];
      const watcher = watch(left.fileno(), (events) => seen.push(events));
      watcher.start(EVENT_READ);
      await turns();
      expect(seen).toEqual([]);
      watcher.start(EVENT_READ | EVENT_WRITE);
      await turns();
      expect(seen[0]).toBe(EVENT_WRITE);
    } finally {
      left.close();
      right.close();
    }
  });

  it('can be closed from inside its callback, which then never runs again', async () => {
    const [readFd, writeFd] = pipe();
    let calls = 0;
    const watcher = watch(readFd, () => {
      calls++;
      watcher.close();
      watcher.close();
    });
    watcher.start(EVENT_READ);
    os.write(writeFd, Buffer.from('x'));
    await turns();
    expect(calls).toBe(1);
    expect(watcher.closed).toBe(true);
  });

  it('runs the microtasks its callback queues before the next I/O callback', async () => {
    const [readFd, writeFd] = pipe();
    const order: string[] = [];
    const watcher = watch(readFd, () => {
      order.push('callback');
      queueMicrotask(() => order.push('microtask'));
      if (order.length > 2) watcher.stop();
    });
    watcher.start(EVENT_READ);
    os.write(writeFd, Buffer.from('x'));
    await turns();
    expect(order.slice(0, 4)).toEqual(['callback', 'microtask', 'callback', 'microtask']);
  });

  it('throws a RuntimeError from start() once closed; stop/ref/unref are no-ops', () => {
    const [readFd] = pipe();
    const watcher = watch(readFd, () => {});
    watcher.close();
    expect(() => watcher.start(EVENT_READ)).toThrow(RuntimeError);
    expect(() => watcher.start(EVENT_READ)).toThrow('the FdWatcher is closed');
    watcher.stop();
    watcher.ref();
    watcher.unref();
    expect(watcher.hasRef()).toBe(false);
  });

  it('refuses a bad fd, callback or events mask with a ValueError', () => {
    const [readFd] = pipe();
    expect(() => new FdWatcher(-1, () => {})).toThrow(ValueError);
    expect(() => new FdWatcher(readFd, 'nope' as never)).toThrow('callback must be a function');
    const watcher = watch(readFd, () => {});
    expect(() => watcher.start(0)).toThrow(ValueError);
    expect(() => watcher.start(8)).toThrow('use EVENT_READ, EVENT_WRITE');
  });

  it('throws EEXIST for a second open watcher on the same fd, and allows one after close()', () => {
    const [readFd] = pipe();
    watch(readFd, () => {});
    let error: unknown;
    try {
      watch(readFd, () => {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OSError);
    expect((error as OSError).code).toBe('EEXIST');
    expect((error as OSError).message).toContain('close it first');
    watchers[0]!.close();
    watch(readFd, () => {}).start(EVENT_READ);
  });

  it('prints its fd and state', () => {
    const [readFd] = pipe();
    const watcher = watch(readFd, () => {});
    expect(inspect(watcher)).toBe(`FdWatcher [fd:${readFd}, stopped]`);
    watcher.start(EVENT_READ | EVENT_WRITE);
    watcher.unref();
    expect(inspect(watcher)).toBe(`FdWatcher [fd:${readFd}, watching:READ|WRITE, unref]`);
    watcher.close();
    expect(inspect(watcher)).toBe(`FdWatcher [fd:${readFd}, closed]`);
  });
});

/**
 * Runs `body` in a child node process with `binding` (the real addon) and
 * `pipe` ([readFd, writeFd], never written) in scope; resolves with its exit
 * code, or 'alive' if it has not exited after `waitMs`.
 */
function child(body: string, waitMs = 3000, flags: string[] = []): Promise<number | 'alive'> {
  return childResult(body, waitMs, flags).then(({ code, stderr }) => {
    if (code !== 0 && code !== 'alive') throw new Error(`child exited with ${code}: ${stderr}`);
    return code;
  });
}

/** Like child(), but resolves with any exit code and the child's stderr. */
function childResult(
  body: string,
  waitMs = 3000,
  flags: string[] = [],
): Promise<{ code: number | 'alive'; stderr: string }> {
  const script = `
    const binding = require('node-gyp-build')(${JSON.stringify(packageRoot)});
    const pipe = binding.pipe(true);
    ${body}
  `;
  return new Promise((resolve, reject) => {
    const process = spawn(global.process.execPath, [...flags, '-e', script], {
      cwd: packageRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    process.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      process.kill();
      resolve({ code: 'alive', stderr });
    }, waitMs);
    process.on('error', reject);
    process.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal as unknown as number), stderr });
    });
  });
}

describe('FdWatcher and the life of the process', () => {
  it('keeps Node alive while started and ref-ed', async () => {
    expect(await child('new binding.FdWatcher(pipe[0], () => {}).start(1);', 1500)).toBe('alive');
  });

  it('lets Node exit once stopped', async () => {
    expect(await child('const w = new binding.FdWatcher(pipe[0], () => {}); w.start(1); w.stop();')).toBe(0);
  });

  it('lets Node exit once closed', async () => {
    expect(await child('const w = new binding.FdWatcher(pipe[0], () => {}); w.start(1); w.close();')).toBe(0);
  });

  it('lets Node exit while started but unref-ed', async () => {
    expect(await child('const w = new binding.FdWatcher(pipe[0], () => {}); w.start(1); w.unref();')).toBe(0);
  });

  it('lets Node exit when closed from inside its callback', async () => {
    const body = `
      const w = new binding.FdWatcher(pipe[0], () => w.close());
      w.start(1);
      binding.write(pipe[1], Buffer.from('x'));
    `;
    expect(await child(body)).toBe(0);
  });

  it('closes a stopped watcher that is garbage-collected, freeing its fd for a new one', async () => {
    // Each round drops a watcher on the same fd; the next round's watcher is
    // refused (EEXIST) unless collecting the last one closed it.
    const body = `
      let round = 0;
      function next() {
        if (round++ === 20) return;
        (() => {
          const w = new binding.FdWatcher(pipe[0], () => {});
          w.start(1);
          w.stop();
        })();
        global.gc();
        setTimeout(next, 5);
      }
      next();
    `;
    expect(await child(body, 5000, ['--expose-gc'])).toBe(0);
  });

  it('keeps a started watcher that nothing references firing until it closes itself', async () => {
    const body = `
      (() => {
        const w = new binding.FdWatcher(pipe[0], () => { w.close(); });
        w.start(1);
      })();
      global.gc();
      setTimeout(() => { global.gc(); binding.write(pipe[1], Buffer.from('x')); }, 50);
    `;
    expect(await child(body, 5000, ['--expose-gc'])).toBe(0);
  });

  it('makes an error thrown by the callback an uncaught exception of the process', async () => {
    const body = `
      const w = new binding.FdWatcher(pipe[0], () => { w.close(); throw new Error('callback failed'); });
      w.start(1);
      binding.write(pipe[1], Buffer.from('x'));
    `;
    const { code, stderr } = await childResult(body);
    expect(code).toBe(1);
    expect(stderr).toContain('callback failed');
  });

  it('lets an uncaughtException handler take the error and Node go on', async () => {
    const body = `
      process.on('uncaughtException', (error) => { console.error('handled ' + error.message); });
      const w = new binding.FdWatcher(pipe[0], () => { w.close(); throw new Error('callback failed'); });
      w.start(1);
      binding.write(pipe[1], Buffer.from('x'));
    `;
    const { code, stderr } = await childResult(body);
    expect(code).toBe(0);
    expect(stderr).toContain('handled callback failed');
  });

  it('closes the watchers of a worker thread that ends, without a crash', async () => {
    const body = `
      const { Worker } = require('node:worker_threads');
      const source = \`
        const { parentPort } = require('node:worker_threads');
        const binding = require('node-gyp-build')(\${JSON.stringify(process.cwd())});
        const pipe = binding.pipe(true);
        new binding.FdWatcher(pipe[0], () => {}).start(1);
        parentPort.postMessage('started');
      \`;
      const worker = new Worker(source, { eval: true });
      worker.once('message', () => worker.terminate());
      worker.once('exit', () => console.error('worker ended'));
    `;
    const { code, stderr } = await childResult(body, 5000);
    expect(stderr).toContain('worker ended');
    expect(code).toBe(0);
  });
});
