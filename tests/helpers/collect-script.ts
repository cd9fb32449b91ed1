/**
 * Hosts collected as the lab and `collect --source local` collect them: the collector script runs once per host
 * through the host's runner, and the hosts make one bundle through the sources' shared loop.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Runner } from '@/lib/capture/collect/runner';
import { collectWithScript } from '@/lib/capture/collect/script-host';
import type { CaptureBundle, CaptureSource, ClusterContext, HostRole } from '@/lib/capture/types';
import { collectDiscovered } from '@/lib/sources/source';

export const COLLECTOR_SCRIPT = readFileSync(path.resolve(__dirname, '../../public/tunnelscope-collect.sh'), 'utf8');

export interface ScriptTarget {
  name: string;
  role: HostRole;
  runner: Runner;
  /** The script's options (--netns NAME, --timeout SEC, …). */
  scriptArgs?: readonly string[];
  timeoutMs?: number;
}

export function collectHostsWithScript(targets: readonly ScriptTarget[], opts: { source?: CaptureSource; cluster?: ClusterContext } = {}): Promise<CaptureBundle> {
  return collectDiscovered({
    source: opts.source ?? { kind: 'local' },
    createdAt: new Date().toISOString(),
    hosts: targets.map(({ name, role, runner, scriptArgs, timeoutMs }) => ({
      name,
      role,
      collect: (signal?: AbortSignal) => collectWithScript(runner, COLLECTOR_SCRIPT, { name, role, signal, ...(scriptArgs ? { scriptArgs } : {}), ...(timeoutMs ? { timeoutMs } : {}) }),
    })),
    concurrency: 4,
    ...(opts.cluster ? { cluster: opts.cluster } : {}),
  });
}
