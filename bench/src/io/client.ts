// The io suite's load generator: bench/native/echo-client.c compiled with
// `cc -O2` into bench/dist/ the first time the suite runs (or when the source
// is newer), else the Node net client of node-client.ts with a note; and the
// one function that runs it for a given server. The C floor server
// (echo-server.c) is compiled the same way.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { benchRoot } from '../harness.js';

/** What one run of the load generator reports (the JSON line of echo-client.c). */
export interface LoadResult {
  connections: number;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  medianLatencyUs: number;
  p99LatencyUs: number;
  /** The client's CPU time over the measured window's wall time (1.0 = one core busy). */
  clientCpu: number;
}

export interface LoadGenerator {
  /** Printed above the tables. */
  description: string;
  /** The command line, less the run's arguments. */
  command: string[];
  /** Called before each run: puts the binary back if a bench rebuild (tsup cleans dist/) took it away. */
  prepare(): void;
}

/** Compiles `source` to `binary` (through a temporary name, so no run sees half a file); returns why it failed, or null. */
function compile(source: string, binary: string): string | null {
  const compiler = process.env.CC ?? 'cc';
  const partial = `${binary}.${process.pid}.tmp`;
  const result = spawnSync(compiler, ['-O2', '-o', partial, source], { encoding: 'utf8' });
  if (result.status !== 0) {
    rmSync(partial, { force: true });
    return `${compiler}: ${result.error?.message ?? (result.stderr.trim().split('\n')[0] || `exit ${result.status}`)}`;
  }
  renameSync(partial, binary);
  return null;
}

/** A program of bench/native/, compiled into bench/dist/ when missing or older than its source. */
export interface NativeProgram {
  source: string;
  binary: string;
  /** Why it could not be compiled, or null. */
  failure: string | null;
  /** Called before each run: puts the binary back if a bench rebuild (tsup cleans dist/) took it away. */
  prepare(): void;
}

/** Compiles bench/native/<name>.c into bench/dist/<name> if needed. */
export function nativeProgram(name: string): NativeProgram {
  const source = join(benchRoot, 'native', `${name}.c`);
  const binary = join(benchRoot, 'dist', name);
  const stale = !existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs;
  return {
    source,
    binary,
    failure: stale ? compile(source, binary) : null,
    prepare: () => {
      if (!existsSync(binary)) compile(source, binary);
    },
  };
}

/** Compiles the C client if needed; falls back to the Node client, saying why. */
export function loadGenerator(forceNode: boolean): LoadGenerator {
  const nodeClient: LoadGenerator = {
    description: 'Node net client (node-client.ts)',
    command: [process.execPath, process.argv[1]!, 'io-client'],
    prepare: () => {},
  };
  if (forceNode) return nodeClient;
  const client = nativeProgram('echo-client');
  if (client.failure !== null) {
    console.log(`\nNote: cannot compile bench/native/echo-client.c (${client.failure}); ` +
      'the load comes from a Node net client instead, which may set the pace for the fastest servers.');
    return nodeClient;
  }
  return { description: 'C epoll client (bench/native/echo-client.c)', command: [client.binary], prepare: client.prepare };
}

/** Runs the load generator against 127.0.0.1:port; resolves its result or rejects with its stderr. */
export function runLoad(
  generator: LoadGenerator,
  pin: string[],
  port: number,
  connections: number,
  size: number,
  warmup: number,
  duration: number,
): Promise<LoadResult> {
  generator.prepare();
  const args = [...generator.command, '127.0.0.1', String(port), String(connections), String(size), String(warmup), String(duration)];
  const command = [...pin, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // A client stuck well past its run (in a blocking connect() to a server
    // that never accepts, say) is killed rather than hang the suite.
    const timer = setTimeout(() => child.kill('SIGKILL'), (warmup + duration + 15) * 1000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (status === 0 && line.startsWith('{')) resolve(JSON.parse(line) as LoadResult);
      else reject(new Error(stderr.trim().split('\n').pop() || `the load generator exited with ${status}`));
    });
  });
}
