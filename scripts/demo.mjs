#!/usr/bin/env node
// `npm run demo`: from a fresh checkout to a running dashboard showing the lab's incident.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureCliBuild } from './cli-build.mjs';

function run(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
}

if (!existsSync('node_modules/.package-lock.json') && run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(1);
await ensureCliBuild();
// The lab needs root and Debian's OVS/OVN; without them the demo shows the bundled sample instead.
if (process.getuid?.() === 0) run('sh', ['scripts/install-system-deps.sh']);
process.exit(run(process.execPath, ['--single-threaded-gc', 'bin/tunnelscope.mjs', 'demo', ...process.argv.slice(2)]));
