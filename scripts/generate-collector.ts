/** Rewrites the command block of public/tunnelscope-collect.sh from lib/commands (see lib/commands/collector-script.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '@/lib/commands';
import { withCommandBlock } from '@/lib/commands/collector-script';

const file = path.join(import.meta.dirname, '..', 'public', 'tunnelscope-collect.sh');
const before = readFileSync(file, 'utf8');
const after = withCommandBlock(before, COMMANDS);
if (after !== before) writeFileSync(file, after);
console.log(after === before ? `${file} is up to date` : `${file} rewritten`);
