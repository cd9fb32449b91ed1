#!/usr/bin/env -S node --max-semi-space-size=64 --min-semi-space-size=64
// Entry point of the `tunnelscope` command: loads the TypeScript CLI through tsx.
// The young generation starts at 64 MiB instead of growing from 1 MiB: parsing a capture makes objects that live
// (the parsed state) faster than a small one can hold them, and copying them between its halves costs a fifth of
// the run on a big capture. `npm run bench` runs with the same flags.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const here = path.dirname(fileURLToPath(import.meta.url));
// The project's tsconfig by path, not the one tsx would look for from the working directory: the command runs
// from any directory, and its modules import each other through the tsconfig's `@/` alias.
process.env.TSX_TSCONFIG_PATH ??= path.join(here, '..', 'tsconfig.json');
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
const { main } = await tsImport(path.join(here, '..', 'cli', 'main.ts'), import.meta.url);
const code = await main(process.argv.slice(2));
process.exitCode = code;
