// `npm run bench [suite...]`: runs the side-by-side benchmarks. Suites: core,
// executors, sync, threads. (`core-workload <name>` is the child process
// benchCore runs each of its workloads in.)
import { benchCore, benchCoreWorkload } from './core.js';
import { benchExecutors } from './executors.js';
import { benchSync } from './sync.js';
import { benchThreads } from './threads.js';

const suites: Record<string, () => Promise<void>> = {
  core: benchCore,
  executors: benchExecutors,
  sync: benchSync,
  threads: benchThreads,
};

const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
if (wanted[0] === 'core-workload') {
  await benchCoreWorkload(wanted[1]!);
  process.exit(0);
}
const names = wanted.length > 0 ? wanted : Object.keys(suites);
for (const name of names) {
  const suite = suites[name];
  if (suite === undefined) {
    console.error(`unknown suite ${name}; choose from ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  await suite();
}
