// A loop full of ready work must not starve Node's I/O: while callbacks (or
// tasks) reschedule themselves for about a second, a Node setTimeout timer,
// the loop's own timers and a loopback TCP socket are each served within
// 50 ms of being due or ready.
//
// The bound is wall-clock time on a shared 2-core box, where the OS alone can
// hold the process off the CPU for longer than 50 ms. A loop that starves Node
// misses the bound on every probe of every run (the storm lasts a second), so
// each storm is measured up to three times and the bound must hold for every
// probe of one whole run; the bound itself is not relaxed.
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLoop, sleep, type BaseEventLoop } from '@asyncio-ts/core';

const STORM_MS = 1000;
const SERVED_WITHIN_MS = 50;
const ATTEMPTS = 3;

interface Measurements {
  /** How late each Node setTimeout fired, in ms. */
  nodeTimerLateness: number[];
  /** How late each loop.callLater() timer ran, in ms. */
  loopTimerLateness: number[];
  /** Client write -> server 'data', and server write -> client 'data', in ms. */
  socketDelays: number[];
  /** How many storm callbacks ran. */
  stormCallbacks: number;
}

/** A TCP echo server on a loopback port, and a client connected to it. */
async function openLoopback(): Promise<{ server: Server; client: Socket; close: () => Promise<void> }> {
  const server = createServer((socket) => {
    socket.on('data', (data) => {
      const sentAt = Number(data.toString().split(' ')[1]);
      socket.write(`${performance.now() - sentAt} ${performance.now()}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = createConnection(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const close = async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { server, client, close };
}

/**
 * Runs `storm` on a new loop for STORM_MS and, meanwhile, every 50 ms: a
 * Node timer, a loop timer and a socket round trip, each timed.
 */
async function measureDuringStorm(storm: (loop: BaseEventLoop, until: number, count: () => void) => void): Promise<Measurements> {
  const loop = new EventLoop();
  const { client, close } = await openLoopback();
  const measurements: Measurements = { nodeTimerLateness: [], loopTimerLateness: [], socketDelays: [], stormCallbacks: 0 };
  client.on('data', (data) => {
    for (const line of data.toString().trim().split('\n')) {
      const [toServer, serverSentAt] = line.split(' ').map(Number);
      measurements.socketDelays.push(toServer!, performance.now() - serverSentAt!);
    }
  });
  const until = performance.now() + STORM_MS;
  const probes: NodeJS.Timeout[] = [];
  for (let at = 50; at < STORM_MS - 50; at += 50) {
    const due = performance.now() + at;
    probes.push(
      setTimeout(() => {
        measurements.nodeTimerLateness.push(performance.now() - due);
        client.write(`ping ${performance.now()}\n`);
      }, at),
    );
    const loopDue = loop.time() + at / 1000;
    loop.callAt(loopDue, () => measurements.loopTimerLateness.push((loop.time() - loopDue) * 1000));
  }
  storm(loop, until, () => measurements.stormCallbacks++);
  loop.callLater(STORM_MS / 1000 + 0.05, () => loop.stop());
  try {
    await loop.runForever();
    // Let the last replies arrive.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    for (const probe of probes) clearTimeout(probe);
    loop.close();
    await close();
  }
  return measurements;
}

/** The probes measureDuringStorm() sends: every 50 ms from 50 ms to 50 ms before the end. */
const PROBES = Math.ceil((STORM_MS - 100) / 50);

/** The slowest probe of a run, in ms: what must stay under SERVED_WITHIN_MS. */
function slowestProbe(measurements: Measurements): number {
  return Math.max(...measurements.nodeTimerLateness, ...measurements.loopTimerLateness, ...measurements.socketDelays);
}

/**
 * Measures a storm, again if a probe was late (up to ATTEMPTS runs), and
 * returns the first run in which every probe was served in time, else the
 * last run, whose late probes the tests then report.
 */
async function measureUntilServed(storm: Parameters<typeof measureDuringStorm>[0]): Promise<Measurements> {
  let measurements = await measureDuringStorm(storm);
  for (let attempt = 1; attempt < ATTEMPTS && slowestProbe(measurements) >= SERVED_WITHIN_MS; attempt++) {
    measurements = await measureDuringStorm(storm);
  }
  return measurements;
}

function expectServed(measurements: Measurements): void {
  const probes = PROBES;
  expect(measurements.nodeTimerLateness).toHaveLength(probes);
  expect(Math.max(...measurements.nodeTimerLateness)).toBeLessThan(SERVED_WITHIN_MS);
  expect(measurements.loopTimerLateness).toHaveLength(probes);
  expect(Math.max(...measurements.loopTimerLateness)).toBeLessThan(SERVED_WITHIN_MS);
  expect(measurements.socketDelays).toHaveLength(probes * 2);
  expect(Math.max(...measurements.socketDelays)).toBeLessThan(SERVED_WITHIN_MS);
}

describe('a storm of callSoon work', () => {
  let measurements: Measurements;

  beforeAll(async () => {
    measurements = await measureUntilServed((loop, until, count) => {
      // 100 callbacks, each rescheduling itself until the storm ends.
      const work = () => {
        count();
        if (performance.now() < until) loop.callSoon(work);
      };
      for (let index = 0; index < 100; index++) loop.callSoon(work);
    });
  });

  it('keeps the loop busy the whole time', () => {
    expect(measurements.stormCallbacks).toBeGreaterThan(10_000);
  });

  it('does not starve a Node setTimeout timer', () => {
    expect(measurements.nodeTimerLateness.length).toBeGreaterThan(10);
    expect(Math.max(...measurements.nodeTimerLateness)).toBeLessThan(SERVED_WITHIN_MS);
  });

  it("does not starve the loop's own timers", () => {
    expect(Math.max(...measurements.loopTimerLateness)).toBeLessThan(SERVED_WITHIN_MS);
  });

  it('does not starve a loopback TCP socket in either direction', () => {
    expect(measurements.socketDelays.length).toBeGreaterThan(20);
    expect(Math.max(...measurements.socketDelays)).toBeLessThan(SERVED_WITHIN_MS);
  });

  it('serves every probe', () => {
    expectServed(measurements);
  });
});

describe.each(['async function', 'function* generator'] as const)('a storm of %s tasks yielding with sleep(0)', (shape) => {
  let measurements: Measurements;

  beforeAll(async () => {
    measurements = await measureUntilServed((loop, until, count) => {
      for (let index = 0; index < 50; index++) {
        if (shape === 'async function') {
          loop.createTask(async () => {
            while (performance.now() < until) {
              count();
              await sleep(0);
            }
          });
        } else {
          loop.createTask(function* () {
            while (performance.now() < until) {
              count();
              yield* sleep(0);
            }
          });
        }
      }
    });
  });

  afterAll(() => {
    measurements = undefined as never;
  });

  it('keeps the tasks going and still serves Node timers, loop timers and the socket', () => {
    expect(measurements.stormCallbacks).toBeGreaterThan(5_000);
    expectServed(measurements);
  });
});
