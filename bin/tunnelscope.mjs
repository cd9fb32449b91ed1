#!/usr/bin/env -S node --max-semi-space-size=64 --min-semi-space-size=64 --single-threaded-gc
// Entry point of the `tunnelscope` command: runs the built command line (scripts/cli-build.mjs), or the TypeScript
// sources through tsx while the build is missing or older than they are.
// The young generation starts at 64 MiB instead of growing from 1 MiB: parsing a capture makes objects that live
// (the parsed state) faster than a small one can hold them, and copying them between its halves costs a fifth of
// the run on a big capture. `npm run bench` runs with the same flags.
// Each heap collects its garbage on its own thread (--single-threaded-gc): V8's helper threads are shared by the
// process and run at the server's priority, so the collections of a lowered analysis thread (lib/capture/background.ts)
// would compete with the threads serving readers as their equal. `npm start` and `npm run demo` start the dashboard
// with it too; V8 takes it only at start.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { importTs } from '../scripts/cli-build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// The checkout, for what the command reads from it (the bundled sample, the dashboard it serves).
process.env.TUNNELSCOPE_HOME ??= path.join(here, '..');
// A reader that stops early (`tunnelscope topology big.json | head`) closes the pipe: the command then ends quietly
// instead of printing a stack trace for output nobody reads.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}
const { main } = await importTs('../cli/main.ts', import.meta.url);
const code = await main(process.argv.slice(2));
process.exitCode = code;
