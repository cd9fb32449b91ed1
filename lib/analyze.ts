import type { CaptureBundle, ClusterContext, HostCapture } from '@/lib/capture/types';
import { parseHost } from '@/lib/parse';
import { buildTopology } from '@/lib/topology/build';
import { diagnose } from '@/lib/diagnose';
import type { Finding } from '@/lib/diagnose/types';
import type { Topology } from '@/lib/topology/types';

export interface Analysis {
  topology: Topology;
  findings: Finding[];
  rulesVersion: string;
}

/** Everything derived from a capture: recomputable whenever parsers or rules improve. */
export function analyze(bundle: CaptureBundle): Analysis {
  return analyzeHosts(bundle.hosts, () => bundle.cluster);
}

/**
 * The same analysis of hosts read one at a time: each is parsed as it arrives and can then be let go, so a
 * capture too big to hold as one bundle is analysed from its file. The cluster is asked for after the last host,
 * since a bundle file may hold it after its hosts.
 */
export function analyzeHosts(hosts: Iterable<HostCapture>, cluster: () => ClusterContext | undefined): Analysis {
  const states = Array.from(hosts, parseHost);
  const context = cluster();
  const topology = buildTopology(states, context);
  const { findings, rulesVersion } = diagnose(topology, context);
  return { topology, findings, rulesVersion };
}
