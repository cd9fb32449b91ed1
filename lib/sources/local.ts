/** The machine this process runs on, read in its own namespaces. */
import os from 'node:os';
import { collectHost } from '@/lib/capture/collect/collect';
import { LocalRunner } from '@/lib/capture/collect/runner';
import type { Source } from './source';

export const localSource: Source<'local'> = {
  kind: 'local',
  async availability() {
    return { available: true };
  },
  async discover() {
    // The name the collected host records comes from its own `hostname`; this one names it in progress and the bundle's source.
    const name = os.hostname();
    return {
      source: { kind: 'local', detail: name },
      createdAt: new Date().toISOString(),
      hosts: [{ name, role: 'unknown', collect: () => collectHost(new LocalRunner(), {}) }],
      concurrency: 1,
    };
  },
};
