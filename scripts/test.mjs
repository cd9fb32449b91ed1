#!/usr/bin/env node
// `npm test`: makes sure dependencies are present, runs every suite with Vitest, and ends with one plain
// summary line: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { ensureCliBuild } from './cli-build.mjs';

function run(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
}

if (!existsSync('node_modules/.package-lock.json') && run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(1);
if (process.getuid?.() === 0 && run('sh', ['scripts/install-system-deps.sh']) !== 0) process.exit(1);
// Tests that start bin/tunnelscope.mjs then run the built command line, as users do; one edited meanwhile falls
// back to the sources by itself.
await ensureCliBuild();

// The whole suite drives the built dashboard: build it first, in plain sight, rather than inside a test's hook.
if (process.argv.length === 2 && run(process.execPath, ['scripts/build-app.mjs']) !== 0) process.exit(1);

mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
rmSync(report, { force: true });
const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed = result.numPassedTests ?? 0;
  failed = result.numFailedTests ?? 0;
  skipped = (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  // A file that fails to load has no test results of its own: count it, so that it cannot pass silently.
  const brokenFiles = (result.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
  failed += brokenFiles;
} else {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
