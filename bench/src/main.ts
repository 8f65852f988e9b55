// `npm run bench [suite...]`: runs the side-by-side benchmarks. Suites: core,
// executors, sync, threads, io. (`core-workload <name>` is the child process
// benchCore runs each of its workloads in; `io-server <name>` and `io-client
// ...` are the io suite's echo servers and fallback load generator.)
import { benchCore, benchCoreWorkload } from './core.js';
import { benchExecutors } from './executors.js';
import { benchSync } from './sync.js';
import { benchThreads } from './threads.js';
import { benchIo } from './io/index.js';
import { serveEcho } from './io/servers.js';
import { runNodeClient } from './io/node-client.js';

const suites: Record<string, () => Promise<void>> = {
  core: benchCore,
  executors: benchExecutors,
  sync: benchSync,
  threads: benchThreads,
  io: benchIo,
};

const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
if (wanted[0] === 'core-workload') {
  await benchCoreWorkload(wanted[1]!);
  process.exit(0);
}
if (wanted[0] === 'io-server') {
  await serveEcho(wanted[1]!);
} else if (wanted[0] === 'io-client') {
  await runNodeClient(process.argv.slice(process.argv.indexOf('io-client') + 1));
  process.exit(0);
} else {
  const names = wanted.length > 0 ? wanted : Object.keys(suites);
  for (const name of names) {
    const suite = suites[name];
    if (suite === undefined) {
      console.error(`unknown suite ${name}; choose from ${Object.keys(suites).join(', ')}`);
      process.exit(2);
    }
    await suite();
  }
}
