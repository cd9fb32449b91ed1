#!/usr/bin/env node
// Entry point of the `tunnelscope` command: loads the TypeScript CLI through tsx.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const here = path.dirname(fileURLToPath(import.meta.url));
const { main } = await tsImport(path.join(here, '..', 'cli', 'main.ts'), import.meta.url);
const code = await main(process.argv.slice(2));
process.exitCode = code;
