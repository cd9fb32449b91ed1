#!/usr/bin/env node
// Builds the dashboard (`next build`) unless the last build is newer than every source it is built from.
// Several callers may ask at once (test files one after another, a hook that timed out while its build goes on, the
// bench, a person): each takes the checkout's lock first, so a second caller waits for the build in progress and
// then finds it current instead of starting a second build over the same .next folder.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_ID = path.join(ROOT, '.next', 'BUILD_ID');
const SOURCES = ['app', 'components', 'lib', 'public', 'proxy.ts', 'instrumentation.ts', 'next.config.js', 'tailwind.config.cjs', 'postcss.config.cjs', 'package-lock.json'];

function newest(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry).reduce((latest, name) => Math.max(latest, newest(path.join(entry, name))), stat.mtimeMs);
}

function buildIsCurrent() {
  if (!existsSync(BUILD_ID)) return false;
  const built = statSync(BUILD_ID).mtimeMs;
  return SOURCES.every((source) => newest(path.join(ROOT, source)) < built);
}

if (!process.env.TUNNELSCOPE_BUILD_LOCK_HELD) {
  // flock(1) holds the lock for as long as the build runs and frees it when the process ends, however it ends.
  const lock = path.join(os.tmpdir(), `tunnelscope-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  const run = spawnSync('flock', [lock, process.execPath, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, TUNNELSCOPE_BUILD_LOCK_HELD: '1' },
  });
  process.exit(run.error ? 1 : (run.status ?? 1));
}

if (buildIsCurrent()) process.exit(0);
const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
});
process.exit(build.status ?? 1);
