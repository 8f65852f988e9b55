// Issue 6's benchmark: the classic echo benchmark on loopback. 1 KiB
// messages ping-pong (send, wait for the whole echo, send the next) on 1 and
// on 10 connections, against CPython asyncio's streams and protocols,
// uvloop's, raw Node net's, and asyncio-ts's streams and protocols on the
// hosted EventLoop and on the SelectorEventLoop.
//
// Each server runs alone in a child process, against one load generator (a
// C epoll client, see client.ts); a C epoll server is the floor row, what
// any server reaches against that client here. Flags: --duration=<s> (1)
// --warmup=<s> (0.3) --rounds=<n> (3) --only=<text> (servers whose name
// contains it) --node-client (the Node load generator instead of the C one)
// --pin (server on CPU 1, client on CPU 0; see pinning()).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchRoot, pythons } from '../harness.js';
import { loadGenerator, nativeProgram, runLoad, type LoadGenerator, type LoadResult } from './client.js';

const MESSAGE_SIZE = 1024;
const CONNECTIONS = [1, 10] as const;
const SERVER_START_TIMEOUT = 20;

type Api = 'streams' | 'protocols';
type Family = 'cpython' | 'uvloop' | 'node' | 'ours' | 'floor';

interface ServerSpec {
  /** Stable name, what --only matches. */
  name: string;
  /** The table's label; `{python}` becomes the version the server reports. */
  label: string;
  family: Family;
  api: Api;
  /** The CPython baseline of the ratios (Debian's python3), as against one on PATH. */
  isBaseline: boolean;
  command: string[];
  /** Why the server cannot run here (its program did not compile). */
  skip?: string;
}

interface Outcome {
  spec: ServerSpec;
  label: string;
  /** Why there are no figures (the server could not start, or a run failed). */
  skipped?: string;
  /** The best run of each connection count. */
  runs: Partial<Record<number, Measured>>;
}

type Measured = LoadResult & { serverCpu: number | null };

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function servers(): ServerSpec[] {
  const script = join(benchRoot, 'python', 'echo_server.py');
  const node = (name: string) => [process.execPath, process.argv[1]!, 'io-server', name];
  const specs: ServerSpec[] = [];
  const [debian, onPath] = pythons();
  if (debian !== undefined) {
    const python = (loop: string, api: Api) => [debian, script, loop, api];
    specs.push(
      { name: 'cpython-streams', label: 'CPython {python} asyncio streams', family: 'cpython', api: 'streams', isBaseline: true, command: python('asyncio', 'streams') },
      { name: 'cpython-protocols', label: 'CPython {python} asyncio protocols', family: 'cpython', api: 'protocols', isBaseline: true, command: python('asyncio', 'protocols') },
    );
    if (onPath !== undefined) {
      specs.push({ name: 'cpython-path-protocols', label: 'CPython {python} (PATH) asyncio protocols', family: 'cpython', api: 'protocols', isBaseline: false, command: [onPath, script, 'asyncio', 'protocols'] });
    }
    specs.push(
      { name: 'uvloop-streams', label: '{loop} streams', family: 'uvloop', api: 'streams', isBaseline: true, command: python('uvloop', 'streams') },
      { name: 'uvloop-protocols', label: '{loop} protocols', family: 'uvloop', api: 'protocols', isBaseline: true, command: python('uvloop', 'protocols') },
    );
  }
  specs.push(
    { name: 'node-net', label: `Node ${process.version} net`, family: 'node', api: 'protocols', isBaseline: true, command: node('node-net') },
    {
      name: 'node-net-async-floor',
      label: `Node ${process.version} net, an async function per connection under AsyncLocalStorage (the floor of async streams)`,
      family: 'node',
      api: 'streams',
      isBaseline: false,
      command: node('node-net-async-floor'),
    },
    { name: 'ours-streams-hosted', label: 'asyncio-ts streams, EventLoop', family: 'ours', api: 'streams', isBaseline: false, command: node('ours-streams-hosted') },
    { name: 'ours-streams-generator-hosted', label: 'asyncio-ts streams (function*), EventLoop', family: 'ours', api: 'streams', isBaseline: false, command: node('ours-streams-generator-hosted') },
    { name: 'ours-protocols-hosted', label: 'asyncio-ts protocols, EventLoop', family: 'ours', api: 'protocols', isBaseline: false, command: node('ours-protocols-hosted') },
    { name: 'ours-streams-selector', label: 'asyncio-ts streams, SelectorEventLoop', family: 'ours', api: 'streams', isBaseline: false, command: node('ours-streams-selector') },
    { name: 'ours-streams-generator-selector', label: 'asyncio-ts streams (function*), SelectorEventLoop', family: 'ours', api: 'streams', isBaseline: false, command: node('ours-streams-generator-selector') },
    { name: 'ours-protocols-selector', label: 'asyncio-ts protocols, SelectorEventLoop', family: 'ours', api: 'protocols', isBaseline: false, command: node('ours-protocols-selector') },
  );
  const floor = nativeProgram('echo-server');
  specs.push({
    name: 'floor-c-epoll',
    label: 'C epoll echo (the floor: one epoll_wait, read, write per message)',
    family: 'floor',
    api: 'protocols',
    isBaseline: false,
    command: [floor.binary],
    ...(floor.failure === null ? {} : { skip: `cannot compile bench/native/echo-server.c (${floor.failure})` }),
  });
  return specs;
}

/**
 * With --pin: `taskset -c <cpu>` prefixes when there are two cores or more
 * and taskset exists. Not by default: on the 2-vCPU VMs this suite was made
 * on, a wake-up across CPUs takes tens of µs, so pinned ping-pong on one
 * connection runs at that pace (about 13 k/s) for every server, the C floor
 * included, and measures the hypervisor rather than the servers.
 */
function pinning(wanted: boolean): { server: string[]; client: string[]; note: string } {
  if (!wanted) return { server: [], client: [], note: 'not pinned (--pin pins them): server and client share the two cores' };
  const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  if (cpus().length < 2 || !hasTaskset) {
    return { server: [], client: [], note: 'not pinned (taskset or a second core is missing): server and client share the cores' };
  }
  return { server: ['taskset', '-c', '1'], client: ['taskset', '-c', '0'], note: 'server pinned to CPU 1, load generator to CPU 0' };
}

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** A process's user+system CPU seconds so far, from /proc (null where there is no /proc). */
function processCpu(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return null;
  }
}

/** The last two lines a process wrote to stderr, less stack frames. */
function lastLines(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('at '));
  return lines.slice(-2).join(' / ');
}

/** Starts a server and waits for its first line: {"port", ...} or {"skip"}. */
function startServer(command: string[]): Promise<{ child: ChildProcess; announcement: Record<string, unknown>; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`it did not announce its port within ${SERVER_START_TIMEOUT} s`));
    }, SERVER_START_TIMEOUT * 1000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve({ child, announcement: JSON.parse(stdout.slice(0, newline)) as Record<string, unknown>, stderr: () => lastLines(stderr) });
      } catch {
        child.kill('SIGKILL');
        reject(new Error(`its first line is not JSON: ${stdout.slice(0, newline)}`));
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      reject(new Error(`it exited (${signal ?? status}) before serving: ${lastLines(stderr) || 'no output'}`));
    });
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface Running {
  outcome: Outcome;
  child?: ChildProcess;
  port?: number;
  stderr?: () => string;
}

/** Starts a server and names its row from what it announces; a server that cannot start is a skipped row. */
async function launch(spec: ServerSpec, pin: string[]): Promise<Running> {
  const outcome: Outcome = { spec, label: spec.label, runs: {} };
  if (spec.skip !== undefined) {
    outcome.skipped = spec.skip;
    return { outcome };
  }
  let started: Awaited<ReturnType<typeof startServer>>;
  try {
    started = await startServer([...pin, ...spec.command]);
  } catch (error) {
    outcome.skipped = `did not start: ${(error as Error).message}`;
    return { outcome };
  }
  const { child, announcement, stderr } = started;
  outcome.label = spec.label
    .replace('{python}', String(announcement.python ?? '?'))
    .replace('{loop}', `uvloop ${String(announcement.loop ?? '').replace('uvloop ', '')}`.trim());
  if (typeof announcement.skip === 'string') {
    outcome.skipped = announcement.skip;
    await stopServer(child);
    return { outcome };
  }
  return { outcome, child, port: Number(announcement.port), stderr };
}

/** One run of the load against one server, with the server's CPU use over the measured window. */
async function measureOne(
  generator: LoadGenerator,
  pin: string[],
  server: Running,
  connections: number,
  warmup: number,
  duration: number,
): Promise<Measured> {
  const pid = server.child!.pid;
  const started = performance.now();
  let cpuAtMeasure: number | null = null;
  let measuredFrom = started;
  const timer = setTimeout(() => {
    cpuAtMeasure = processCpu(pid);
    measuredFrom = performance.now();
  }, warmup * 1000);
  try {
    const result = await runLoad(generator, pin, server.port!, connections, MESSAGE_SIZE, warmup, duration);
    const cpuNow = processCpu(pid);
    const elapsed = (performance.now() - measuredFrom) / 1000;
    return { ...result, serverCpu: cpuNow !== null && cpuAtMeasure !== null ? (cpuNow - cpuAtMeasure) / elapsed : null };
  } finally {
    clearTimeout(timer);
  }
}

function ratio(mine: number | undefined, theirs: number | undefined): string {
  if (mine === undefined || theirs === undefined || theirs === 0) return '—';
  return `${(mine / theirs).toFixed(2)}x`;
}

function rate(value: number): string {
  return value >= 1e6 ? `${(value / 1e6).toFixed(2)} M/s` : `${(value / 1e3).toFixed(1)} k/s`;
}

function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)}%`;
}

/** The baseline a row is compared with: the same API of CPython (Debian's) or uvloop; Node net has one. */
function baselineOf(outcomes: Outcome[], family: Family, api: Api): Outcome | undefined {
  return outcomes.find((outcome) => outcome.spec.family === family && outcome.spec.isBaseline && (family === 'node' || outcome.spec.api === api));
}

function figure(outcome: Outcome | undefined, connections: number): number | undefined {
  return outcome?.runs[connections]?.messagesPerSecond;
}

function printTables(outcomes: Outcome[]): void {
  for (const connections of CONNECTIONS) {
    const header = ['server', 'msgs/s', 'median latency', 'p99 latency', 'vs CPython asyncio', 'vs Node net', 'vs uvloop', 'server CPU', 'server CPU per msg', 'client CPU'];
    console.log(`\n#### ${connections} connection${connections === 1 ? '' : 's'}\n`);
    console.log(`| ${header.join(' | ')} |`);
    console.log(`| ${header.map(() => '---').join(' | ')} |`);
    for (const outcome of outcomes) {
      const result = outcome.runs[connections];
      if (result === undefined) {
        console.log(`| ${outcome.label} | skipped: ${outcome.skipped ?? 'no figure'} |${' |'.repeat(header.length - 2)}`);
        continue;
      }
      const mine = result.messagesPerSecond;
      const against = (family: Family) => ratio(mine, figure(baselineOf(outcomes, family, outcome.spec.api), connections));
      console.log(`| ${[
        outcome.label,
        rate(mine),
        `${result.medianLatencyUs.toFixed(0)} µs`,
        `${result.p99LatencyUs.toFixed(0)} µs`,
        outcome.spec.family === 'cpython' && outcome.spec.isBaseline ? '1.00x' : against('cpython'),
        outcome.spec.family === 'node' ? '1.00x' : against('node'),
        outcome.spec.family === 'uvloop' ? '1.00x' : against('uvloop'),
        percent(result.serverCpu),
        result.serverCpu === null || mine === 0 ? '—' : `${((result.serverCpu / mine) * 1e6).toFixed(1)} µs`,
        percent(result.clientCpu),
      ].join(' | ')} |`);
    }
  }
  console.log('\nRatios are msgs/s against the same API (streams against streams, protocols against protocols); ' +
    'Node net is one server. CPU is user+system time over wall time: near 100% means that process set the pace; ' +
    'server CPU per msg (its CPU time over the messages echoed) is the least moved by other work on the box.');
}

/**
 * What the C floor server reaches against 3x CPython: a target above what
 * one epoll_wait, one read and one write per message allow on this box is
 * out of reach of every server, in any language.
 */
function printFloor(outcomes: Outcome[]): void {
  const floor = outcomes.find((outcome) => outcome.spec.family === 'floor');
  if (floor === undefined || Object.keys(floor.runs).length === 0) return;
  const parts = CONNECTIONS.map((connections) => {
    const reached = figure(floor, connections);
    const needs = (api: Api) => {
      const python = figure(baselineOf(outcomes, 'cpython', api), connections);
      return python === undefined ? '—' : `${api} ${rate(3 * python)}`;
    };
    return `${connections} conn: the floor does ${reached === undefined ? '—' : rate(reached)}; 3x CPython needs ${needs('streams')}, ${needs('protocols')}`;
  });
  console.log(`- The floor (C epoll server) against the 3x CPython target: ${parts.join('; ')}`);
}

/**
 * What async functions reach on Node net itself, awaiting native promises
 * under AsyncLocalStorage, against Node net: the most the async-function
 * streams of any library standing on AsyncLocalStorage can reach on this Node.
 */
function printAsyncFloor(outcomes: Outcome[]): void {
  const floor = outcomes.find((outcome) => outcome.spec.name === 'node-net-async-floor');
  if (floor === undefined || Object.keys(floor.runs).length === 0) return;
  const parts = CONNECTIONS.map((connections) => {
    const reached = figure(floor, connections);
    return `${connections} conn: ${reached === undefined ? '—' : rate(reached)} = ${ratio(reached, figure(baselineOf(outcomes, 'node', 'protocols'), connections))} Node net`;
  });
  console.log(`- The floor of async-function streams (Node net, async functions under AsyncLocalStorage): ${parts.join('; ')}`);
}

function printTargets(outcomes: Outcome[]): void {
  console.log('\nTargets (issue 6): asyncio-ts streams and protocols >= 3x CPython asyncio (same API) and >= 0.9x raw Node net.');
  for (const outcome of outcomes.filter((candidate) => candidate.spec.family === 'ours')) {
    if (outcome.skipped !== undefined && Object.keys(outcome.runs).length === 0) {
      console.log(`- ${outcome.label}: skipped (${outcome.skipped})`);
      continue;
    }
    const parts = CONNECTIONS.map((connections) => {
      const mine = figure(outcome, connections);
      const python = figure(baselineOf(outcomes, 'cpython', outcome.spec.api), connections);
      const node = figure(baselineOf(outcomes, 'node', outcome.spec.api), connections);
      const check = (value: number | undefined, target: number, theirs: number | undefined) =>
        mine === undefined || theirs === undefined ? '— (no figure)' : `${ratio(mine, theirs)} ${mine / theirs >= target ? '✓' : '✗'}`;
      return `${connections} conn: ${check(mine, 3, python)} CPython, ${check(mine, 0.9, node)} Node net`;
    });
    console.log(`- ${outcome.label}: ${parts.join('; ')}`);
  }
  printFloor(outcomes);
  printAsyncFloor(outcomes);
  const selector = outcomes.find((outcome) => outcome.spec.name === 'ours-protocols-selector');
  const uvloop = baselineOf(outcomes, 'uvloop', 'protocols');
  const closeness = CONNECTIONS.map((connections) => `${ratio(figure(selector, connections), figure(uvloop, connections))} (${connections} conn)`);
  console.log(`- SelectorEventLoop protocols against uvloop protocols: ${closeness.join(', ')}` +
    (uvloop?.skipped !== undefined ? ` — uvloop: ${uvloop.skipped}` : ''));
}

export async function benchIo(): Promise<void> {
  const duration = Number(flag('duration') ?? 1);
  const warmup = Number(flag('warmup') ?? 0.3);
  const rounds = Number(flag('rounds') ?? 3);
  const only = flag('only');
  const generator = loadGenerator(process.argv.includes('--node-client'));
  const pin = pinning(process.argv.includes('--pin'));
  const specs = servers().filter((spec) => only === undefined || spec.name.includes(only));
  const loadBefore = loadavg()[0]!;

  // Every server is started first and idles (blocked in its poll) while the
  // others are measured; the rounds go round all of them, so that load from
  // elsewhere on the box does not fall on one server alone. Best of the rounds.
  const running: Running[] = [];
  for (const spec of specs) running.push(await launch(spec, pin.server));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const server of running) {
        if (server.child === undefined || server.outcome.skipped !== undefined) continue;
        for (const connections of CONNECTIONS) {
          try {
            const result = await measureOne(generator, pin.client, server, connections, warmup, duration);
            const best = server.outcome.runs[connections];
            if (best === undefined || result.messagesPerSecond > best.messagesPerSecond) server.outcome.runs[connections] = result;
          } catch (error) {
            const said = server.stderr?.();
            server.outcome.skipped = `a run failed: ${(error as Error).message}${said ? ` (the server said: ${said})` : ''}`;
            server.outcome.runs = {};
            break;
          }
        }
      }
    }
  } finally {
    await Promise.all(running.map((server) => (server.child === undefined ? undefined : stopServer(server.child))));
  }
  const outcomes = running.map((server) => server.outcome);

  console.log('\n### io: echo on loopback, 1 KiB messages ping-pong, servers against one load generator\n');
  console.log(`Load: ${generator.description}; ${pin.note}; each run ${warmup} s warm-up, then ${duration} s measured; ` +
    `best of ${rounds} rounds, taken in turn over all servers. ` +
    'Streams servers read(65536), write and await drain(); protocol servers write back in dataReceived(). ' +
    `Load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after` +
    (Math.max(loadBefore, loadavg()[0]!) > 1.5 ? ': other work shared the cores, and the figures are noisy.' : '.'));
  printTables(outcomes);
  if (outcomes.some((outcome) => outcome.spec.family === 'ours')) printTargets(outcomes);
}
