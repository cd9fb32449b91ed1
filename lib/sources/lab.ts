/** The namespace lab on this machine: each lab host is entered with its own prefix (nsenter into its namespaces). */
import { collectHost } from '@/lib/capture/collect/collect';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import { labStatus } from '@/lib/lab';
import { SourceError, type Source } from './source';

const NOT_RUNNING = 'No lab is running. Start one with: tunnelscope lab up';

export const labSource: Source<'lab'> = {
  kind: 'lab',
  async availability() {
    return (await labStatus({ probe: false })) ? { available: true } : { available: false, reason: NOT_RUNNING };
  },
  async discover() {
    const status = await labStatus({ probe: false });
    if (!status) throw new SourceError(NOT_RUNNING);
    const local = new LocalRunner();
    return {
      source: { kind: 'lab', detail: `scenario ${status.scenario}` },
      createdAt: new Date().toISOString(),
      hosts: status.hosts.map((host) => ({
        name: host.name,
        role: host.role,
        collect: () => collectHost(new PrefixRunner(host.enter, local), { name: host.name, role: host.role }),
      })),
      concurrency: 4,
    };
  },
};
