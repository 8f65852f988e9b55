#!/usr/bin/env node
// The root scripts' one entry point, so that `npm start` and `npm test` work on
// a fresh clone with nothing but Node and npm: it fetches the pinned pnpm
// through npx, installs from the lockfile, builds with turbo, then runs the
// job that was asked for.
//
//   node scripts/workspace.mjs start   install, build, run the main job
//   node scripts/workspace.mjs test    install, build, run every test file;
//                                      last line: "N passed, N failed"
//   node scripts/workspace.mjs build   install, build
//   node scripts/workspace.mjs bench   install, build, run bench/
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pnpmSpec = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };

function run(command, args, { allowFailure = false } = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  if (result.status !== 0 && !allowFailure) {
    console.error(`\n${command} ${args.join(' ')} exited with ${result.status}`);
    process.exit(result.status ?? 1);
  }
  return result.status ?? 1;
}

// The packageManager field may carry a "+sha…" integrity suffix that npx does not take.
const pnpm = (args, options) => run('npx', ['-y', pnpmSpec.replace(/\+.*$/, ''), ...args], options);

function install() {
  pnpm(['install', '--frozen-lockfile']);
}

function build() {
  pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
}

/** Every workspace folder that may hold a vitest JSON report. */
function workspaceFolders() {
  const folders = [];
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) folders.push(join(dir, name));
  }
  folders.push(join(root, 'examples'), join(root, 'bench'));
  return folders;
}

function summarize() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let files = 0;
  for (const folder of workspaceFolders()) {
    const report = join(folder, 'test-results.json');
    if (!existsSync(report)) continue;
    const data = JSON.parse(readFileSync(report, 'utf8'));
    files += data.testResults?.length ?? 0;
    passed += data.numPassedTests ?? 0;
    failed += data.numFailedTests ?? 0;
    skipped += (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0);
    // A file that failed to load counts no test but is a failure all the same.
    for (const file of data.testResults ?? []) {
      if (file.status === 'failed' && (file.assertionResults?.length ?? 0) === 0) failed += 1;
    }
  }
  return { passed, failed, skipped, files };
}

function test() {
  for (const folder of workspaceFolders()) rmSync(join(folder, 'test-results.json'), { force: true });
  // One package at a time: the machines have 2 cores, and timing assertions
  // (firm lower bounds, generous upper ones) should not race other suites.
  const status = pnpm(['exec', 'turbo', 'run', 'test', '--continue', '--concurrency=1'], { allowFailure: true });
  const { passed, failed, skipped, files } = summarize();
  console.log(`\n${files} test files`);
  const failures = failed === 0 && status !== 0 ? 1 : failed;
  console.log(`${passed} passed, ${failures} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failures === 0 && status === 0 ? 0 : 1);
}

const job = process.argv[2];
install();
switch (job) {
  case 'build':
    build();
    break;
  case 'start':
    build();
    run('node', ['examples/dist/main.js', ...process.argv.slice(3)]);
    break;
  case 'test':
    test();
    break;
  case 'bench':
    build();
    run('node', ['--expose-gc', 'bench/dist/main.js', ...process.argv.slice(3)]);
    break;
  case 'lint':
    pnpm(['exec', 'turbo', 'run', 'typecheck']);
    break;
  default:
    console.error(`unknown job ${job}; use start, test, build, bench or lint`);
    process.exit(2);
}
