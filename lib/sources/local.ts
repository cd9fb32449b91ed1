/** The machine this process runs on: the collector script, run once in its own namespaces. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { LocalRunner } from '@/lib/capture/collect/runner';
import { collectWithScript } from '@/lib/capture/collect/script-host';
import { COLLECTOR_SCRIPT_PATH } from './files';
import type { Source } from './source';

export const localSource: Source<'local'> = {
  kind: 'local',
  async availability() {
    return { available: true };
  },
  async discover({ nice }) {
    const script = await readFile(COLLECTOR_SCRIPT_PATH, 'utf8');
    // The collected host records its own `hostname` and the role the script finds; this name labels progress and the bundle's source.
    const name = os.hostname();
    return {
      source: { kind: 'local', detail: name },
      createdAt: new Date().toISOString(),
      hosts: [{ name, role: 'unknown', collect: (signal) => collectWithScript(new LocalRunner({ nice }), script, { fallbackName: name, signal }) }],
      concurrency: 1,
    };
  },
};
