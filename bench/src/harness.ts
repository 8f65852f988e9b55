// Shared pieces of the benchmarks: run a Python script for the CPython side,
// time a workload, force GC, and print one table with ratios.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const benchRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/** The Pythons to compare against: Debian's build first (faster), then the one on PATH. */
export function pythons(): string[] {
  const found: string[] = [];
  if (existsSync('/usr/bin/python3')) found.push('/usr/bin/python3');
  const onPath = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  const path = onPath.stdout?.trim();
  if (path && !found.includes(path) && !path.startsWith('/usr/bin/')) found.push(path);
  return found;
}

/** Runs a script of bench/python with a given Python; returns its JSON output. */
export function runPython<T>(python: string, script: string, args: string[] = []): T | null {
  const result = spawnSync(python, [join(benchRoot, 'python', script), ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (result.status !== 0) {
    process.stderr.write(`${python} ${script} failed:\n${result.stderr}\n`);
    return null;
  }
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
}

/**
 * Runs `fn` `rounds` times and returns the best ops/s (best-of-N damps a noisy
 * box). The first round also compiles the code; the later ones run it warm.
 * So only the first round starts after a full GC: a full GC between rounds
 * drops the optimized code whose embedded objects (the last round's loop)
 * died, and every round would measure the warm-up again (an uncontended Lock
 * in a generator: about 40 M/s measured so, about 75 M/s warm). Between rounds
 * a minor GC clears the young objects the last round left and keeps the code.
 */
export async function bestOf(rounds: number, operations: number, fn: () => Promise<void> | void): Promise<number> {
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    if (round === 0) collectGarbage();
    else collectYoungGarbage();
    const start = performance.now();
    await fn();
    const seconds = (performance.now() - start) / 1000;
    best = Math.max(best, operations / seconds);
  }
  return best;
}

type GcFunction = (options?: { type: 'minor' | 'major' }) => void;

/** Full GCs (with --expose-gc): for memory figures, and before a workload's first round. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: GcFunction }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
}

/** Minor GCs (with --expose-gc): the young generation only, which leaves the optimized code alone. */
function collectYoungGarbage(): void {
  const gc = (globalThis as { gc?: GcFunction }).gc;
  if (gc !== undefined) {
    gc({ type: 'minor' });
    gc({ type: 'minor' });
  }
}

/**
 * A thenable like sleep(0) without a loop: awaiting it parks the resolver, and
 * one setImmediate per macrotask resumes all that parked (as one loop
 * iteration resumes every task that slept). For the floors of async-function
 * workloads: what bare async functions pay, with no Task, Future or handle.
 */
export function sleepZeroThenable(): { then(resolve: () => void): void } {
  let waiting: (() => void)[] = [];
  let drainQueued = false;
  const drain = () => {
    drainQueued = false;
    const batch = waiting;
    waiting = [];
    for (const resolve of batch) resolve();
  };
  return {
    then(resolve: () => void): void {
      waiting.push(resolve);
      if (!drainQueued) {
        drainQueued = true;
        setImmediate(drain);
      }
    },
  };
}

export interface Row {
  workload: string;
  unit: string;
  /** Name of implementation -> figure. */
  figures: Record<string, number | null>;
  /** Higher is better (ops/s) or lower is better (bytes). */
  higherIsBetter: boolean;
}

function format(value: number | null, unit: string): string {
  if (value === null || Number.isNaN(value)) return '—';
  if (unit === 'ops/s') return value >= 1e6 ? `${(value / 1e6).toFixed(2)} M/s` : `${(value / 1e3).toFixed(1)} k/s`;
  if (unit === 'bytes') return `${Math.round(value)} B`;
  if (unit === 'ms') return `${value.toFixed(3)} ms`;
  return value.toFixed(2);
}

/** Prints a markdown table: every figure, then ours against each baseline as a ratio. */
export function printTable(title: string, rows: Row[], ours: string, baselines: string[]): void {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row.figures)))];
  const ratioColumns = baselines.filter((name) => columns.includes(name));
  const header = ['workload', ...columns, ...ratioColumns.map((name) => `${ours} / ${name}`)];
  console.log(`\n### ${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) {
    const cells = [row.workload, ...columns.map((name) => format(row.figures[name] ?? null, row.unit))];
    for (const name of ratioColumns) {
      const mine = row.figures[ours];
      const theirs = row.figures[name];
      if (mine == null || theirs == null) cells.push('—');
      else cells.push(`${(row.higherIsBetter ? mine / theirs : theirs / mine).toFixed(2)}x`);
    }
    console.log(`| ${cells.join(' | ')} |`);
  }
  console.log(`\nRatios: above 1.00x means ${ours} is better (faster, or smaller).`);
}
