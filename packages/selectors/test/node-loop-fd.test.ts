// nodeLoopFd(): Node's own loop fd in a selector. It becomes readable for
// Node's I/O (a server's connection, a worker's message, thread-pool work, a
// signal Node listens for), not for timers or immediates, reads as nothing
// once Node has had a turn, and shows a handle only from the poll phase after
// it started. What needs a quiet loop runs in a child process of its own
// (vitest's own messages would wake this one).
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { lookup } from 'node:dns';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AF_INET,
  EpollSelector,
  EVENT_READ,
  FdWatcher,
  loadBinding,
  nodeLoopFd,
  OSError,
  PollSelector,
  Socket,
  SOCK_STREAM,
  type BaseSelector,
} from '../src/index.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const hasEpoll = loadBinding().Epoll !== undefined;

/**
 * A turn of Node's loop with a poll phase in it, from wherever this runs: an
 * immediate queued in the poll phase (an I/O callback, or microtasks after
 * one) runs right after that poll phase, so the second one waits for the next.
 */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** The keys' data of what `select(timeout)` reports. */
function ready(selector: BaseSelector<string>, timeout: number): string[] {
  return selector.select(timeout).map(([key]) => key.data);
}

let cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** A Node server on 127.0.0.1 that counts its connections, watched by libuv by the time it resolves. */
async function nodeServer(): Promise<{ server: Server; port: number; connected: Promise<void> }> {
  let onConnection!: () => void;
  const connected = new Promise<void>((resolve) => (onConnection = resolve));
  const server = createServer((socket) => {
    socket.destroy();
    onConnection();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  await turn(); // 'listening' comes before libuv's poll phase adds the socket
  return { server, port: (server.address() as { port: number }).port, connected };
}

/** A blocking client socket connected to `port` (loopback: the kernel completes the handshake). */
function connect(port: number): Socket {
  const socket = new Socket(AF_INET, SOCK_STREAM);
  cleanups.push(() => socket.close());
  socket.connect(['127.0.0.1', port]);
  return socket;
}

describe('nodeLoopFd()', () => {
  it.runIf(process.platform === 'linux')("is this thread's epoll fd, the same on every call", () => {
    const fd = nodeLoopFd();
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(nodeLoopFd()).toBe(fd);
    expect(readlinkSync(`/proc/self/fd/${fd}`)).toBe('anon_inode:[eventpoll]');
  });

  it("is another fd in a worker thread (each thread's own loop)", async () => {
    const source = `
      const { createRequire } = require('node:module');
      const { parentPort, workerData } = require('node:worker_threads');
      const load = createRequire(workerData + '/package.json')('node-gyp-build');
      parentPort.postMessage(load(workerData).uvBackendFd());
    `;
    const worker = new Worker(source, { eval: true, workerData: packageRoot });
    const workerFd = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(workerFd).toBeGreaterThanOrEqual(0);
    expect(workerFd).not.toBe(nodeLoopFd());
  });

  it('asks the binding it is given', () => {
    expect(nodeLoopFd({ uvBackendFd: () => -1 })).toBe(-1);
  });

  it("cannot be given to an FdWatcher: libuv refuses its own fd with an OSError that says so", () => {
    let error: unknown;
    try {
      new FdWatcher(nodeLoopFd(), () => {}).close();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OSError);
    expect((error as OSError).code).toBe('EINVAL');
    expect((error as OSError).message).toContain('nodeLoopFd()');
  });
});

const selectorKinds: [string, () => BaseSelector<string>][] = [
  ['PollSelector', () => new PollSelector<string>()],
  ...(hasEpoll ? [['EpollSelector', () => new EpollSelector<string>()] as [string, () => BaseSelector<string>]] : []),
];

describe.each(selectorKinds)('nodeLoopFd() registered in a %s', (_name, create) => {
  function selectorOnNode(): BaseSelector<string> {
    const selector = create();
    cleanups.push(() => selector.close());
    selector.register(nodeLoopFd(), EVENT_READ, 'node');
    return selector;
  }

  it('becomes readable when a Node net server gets a connection, which Node accepts in its next turn', async () => {
    const { port, connected } = await nodeServer();
    const selector = selectorOnNode();
    connect(port);
    const started = performance.now();
    expect(ready(selector, 5)).toEqual(['node']);
    expect(performance.now() - started).toBeLessThan(4000);
    await turn();
    await connected;
  });

  it('becomes readable when a worker posts a message', async () => {
    const source = `
      const { parentPort } = require('node:worker_threads');
      parentPort.once('message', (delay) => setTimeout(() => parentPort.postMessage('hello'), delay));
    `;
    const worker = new Worker(source, { eval: true });
    cleanups.push(() => worker.terminate());
    const message = new Promise((resolve) => worker.once('message', resolve));
    await new Promise((resolve) => worker.once('online', resolve));
    const selector = selectorOnNode();
    worker.postMessage(50);
    const started = performance.now();
    expect(ready(selector, 5)).toEqual(['node']);
    expect(performance.now() - started).toBeLessThan(4000);
    await turn();
    expect(await message).toBe('hello');
  });

  it('becomes readable when thread-pool work completes (dns.lookup)', async () => {
    await turn();
    const selector = selectorOnNode();
    const address = new Promise<string>((resolve, reject) =>
      lookup('localhost', 4, (error, result) => (error ? reject(error) : resolve(result))),
    );
    expect(ready(selector, 5)).toEqual(['node']);
    await turn();
    expect(await address).toBe('127.0.0.1');
  });

  // A signal goes to the whole process: only where this test file has a
  // process of its own (vitest's forks pool), not in a worker thread.
  it.runIf(isMainThread)('becomes readable for a signal Node listens for, through a select() the signal interrupted', async () => {
    let handled = false;
    const listener = () => (handled = true);
    process.on('SIGUSR2', listener);
    cleanups.push(() => process.off('SIGUSR2', listener));
    await turn();
    const selector = selectorOnNode();
    expect(ready(selector, 0)).toEqual([]);
    spawn('sh', ['-c', `sleep 0.1; kill -USR2 ${process.pid}`], { stdio: 'ignore' });
    const started = performance.now();
    expect(ready(selector, 5)).toEqual(['node']);
    expect(performance.now() - started).toBeLessThan(4000);
    expect(handled).toBe(false); // JavaScript has not run yet: Node's handler runs in its turn
    // The fd may have turned readable for other work of Node's first (this
    // process also talks to vitest): on a busy machine the signal can come
    // a few turns later.
    for (let turns = 0; !handled && turns < 400; turns++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(handled).toBe(true);
  });

  it('reports nothing with timeout 0 once Node has had its turn', async () => {
    const { port, connected } = await nodeServer();
    const selector = selectorOnNode();
    connect(port);
    expect(ready(selector, 5)).toEqual(['node']);
    // Without a turn it stays readable: each select() reports it again at once.
    expect(ready(selector, 0)).toEqual(['node']);
    await turn();
    await connected;
    expect(ready(selector, 0)).toEqual([]);
  });
});

/**
 * Runs `body` in a quiet child node process with `binding` (the real addon),
 * `select(ms)` (poll(2) on nodeLoopFd: 'readable' or 'nothing', restarting
 * on EINTR), `turn()` (one setImmediate: a turn with a poll phase when
 * awaited from an immediate, as the bodies do after their first one),
 * `connect(port)` (a blocking client fd) and `report(name, value)` in scope;
 * resolves with what it reported.
 */
async function inChild(body: string): Promise<Record<string, unknown>> {
  const script = `
    const binding = require('node-gyp-build')(${JSON.stringify(packageRoot)});
    const net = require('node:net');
    const poller = new binding.Poll();
    poller.register(binding.uvBackendFd(), binding.constants.POLLIN);
    const out = new Int32Array(2);
    function select(ms) {
      let count;
      do count = poller.poll(ms, out); while (count < 0);
      return count > 0 ? 'readable' : 'nothing';
    }
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    function connect(port) {
      const fd = binding.socket.create(${AF_INET}, ${SOCK_STREAM}, 0);
      const status = binding.socket.connect(fd, ${AF_INET}, '127.0.0.1', port);
      if (status !== 0) throw new Error('connect: ' + status);
      return fd;
    }
    const reported = {};
    const report = (name, value) => (reported[name] = value);
    process.on('exit', () => console.log(JSON.stringify(reported)));
    ${body}
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(), 15_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`child exited with ${code}: ${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>);
    });
  });
}

describe('nodeLoopFd() in a quiet process', () => {
  it('turns readable for a signal Node listens for, through a select() the signal interrupted, and Node handles it in its next turns', async () => {
    const reported = await inChild(`
      (async () => {
        let handled = false;
        process.on('SIGUSR2', () => (handled = true));
        await turn();
        await turn();
        report('before', select(0));
        // The signal comes 100 ms into a select() of up to 5 s.
        require('node:child_process').spawn('sh', ['-c', 'sleep 0.1; kill -USR2 ' + process.pid], { stdio: 'ignore' });
        const started = Date.now();
        report('during', select(5000));
        report('waited', Date.now() - started);
        report('handledBefore', handled);
        await turn();
        await turn();
        report('handledAfter', handled);
      })();
    `);
    expect(reported.before).toBe('nothing');
    expect(reported.during).toBe('readable');
    expect(reported.waited).toBeGreaterThanOrEqual(90);
    expect(reported.waited).toBeLessThan(4000);
    expect(reported.handledBefore).toBe(false);
    expect(reported.handledAfter).toBe(true);
  });

  it('stays unreadable for a timer falling due and for a queued setImmediate', async () => {
    const reported = await inChild(`
      (async () => {
        await turn();
        setTimeout(() => {}, 50);
        const started = Date.now();
        report('timer', select(300));
        report('waited', Date.now() - started);
        setImmediate(() => {});
        report('immediate', select(100));
      })();
    `);
    expect(reported.timer).toBe('nothing');
    expect(reported.waited).toBeGreaterThanOrEqual(290);
    expect(reported.immediate).toBe('nothing');
  });

  it("reports nothing at a main module's top level, before Node's first poll, not even a worker's message", async () => {
    const reported = await inChild(`
      const { Worker } = require('node:worker_threads');
      const worker = new Worker("require('node:worker_threads').parentPort.postMessage(Date.now())", { eval: true });
      worker.once('message', (postedAt) => {
        report('postedAt', postedAt);
        worker.terminate();
      });
      report('beforeFirstTurn', select(2000));
      report('selectEnded', Date.now());
    `);
    expect(reported.beforeFirstTurn).toBe('nothing');
    expect(reported.postedAt).toBeLessThan(reported.selectEnded as number); // posted while select() waited
  });

  it('does not watch a server that began listening since Node last polled, even after its listening event, until a turn', async () => {
    const reported = await inChild(`
      (async () => {
        await turn();
        const server = net.createServer((socket) => socket.destroy());
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
        const port = server.address().port;
        const first = connect(port);
        report('afterListeningEvent', select(300));
        await turn(); // libuv adds the server and accepts the first connection
        const second = connect(port);
        report('afterTurn', select(3000));
        binding.close(first);
        binding.close(second);
        server.close();
      })();
    `);
    expect(reported.afterListeningEvent).toBe('nothing');
    expect(reported.afterTurn).toBe('readable');
  });

  it('does not watch a socket Node accepted during its last turn until one turn more', async () => {
    const reported = await inChild(`
      (async () => {
        await turn();
        let received = '';
        const server = net.createServer((socket) => socket.on('data', (data) => (received += data)));
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
        await turn();
        const client = connect(server.address().port);
        report('connection', select(3000));
        await turn(); // Node accepts; the socket starts reading in that turn's callback
        binding.socket.send(client, Buffer.from('ping'), 0, 4);
        report('dataAfterAcceptTurn', select(300));
        await turn(); // now libuv watches it, sees the data and Node reads it
        report('received', received);
        binding.close(client);
        server.close();
      })();
    `);
    expect(reported.connection).toBe('readable');
    expect(reported.dataAfterAcceptTurn).toBe('nothing');
    expect(reported.received).toBe('ping');
  });

  it('gets no poll phase from one setImmediate queued in an I/O callback, and gets one from two', async () => {
    const reported = await inChild(`
      const listenAndConnect = (name, wait, next) => {
        const server = net.createServer((socket) => socket.destroy());
        server.listen(0); // synchronous without a host
        wait(() => {
          const client = connect(server.address().port);
          report(name, select(300));
          binding.close(client);
          server.close();
          next();
        });
      };
      // In an fs callback, an I/O callback: libuv's poll phase is running.
      require('node:fs').stat('/', () => {
        listenAndConnect('oneImmediate', (then) => setImmediate(then), () => {
          require('node:fs').stat('/', () => {
            listenAndConnect('twoImmediates', (then) => setImmediate(() => setImmediate(then)), () => {});
          });
        });
      });
    `);
    expect(reported.oneImmediate).toBe('nothing');
    expect(reported.twoImmediates).toBe('readable');
  });
});
