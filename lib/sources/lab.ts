/** The namespace lab on this machine: the collector script runs once on each lab host, entered with its own prefix (nsenter into its namespaces). */
import { readFile } from 'node:fs/promises';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import { collectWithScript } from '@/lib/capture/collect/script-host';
import { labStatus } from '@/lib/lab';
import { COLLECTOR_SCRIPT_PATH } from './files';
import { SourceError, type Source } from './source';

const NOT_RUNNING = 'No lab is running. Start one with: tunnelscope lab up';

export const labSource: Source<'lab'> = {
  kind: 'lab',
  async availability() {
    return (await labStatus({ probe: false })) ? { available: true } : { available: false, reason: NOT_RUNNING };
  },
  async discover({ nice }) {
    const status = await labStatus({ probe: false });
    if (!status) throw new SourceError(NOT_RUNNING);
    const script = await readFile(COLLECTOR_SCRIPT_PATH, 'utf8');
    const local = new LocalRunner({ nice });
    return {
      source: { kind: 'lab', detail: `scenario ${status.scenario}` },
      createdAt: new Date().toISOString(),
      hosts: status.hosts.map((host) => ({
        name: host.name,
        role: host.role,
        collect: (signal?: AbortSignal) => collectWithScript(new PrefixRunner(host.enter, local), script, { name: host.name, role: host.role, signal }),
      })),
      concurrency: 4,
    };
  },
};
