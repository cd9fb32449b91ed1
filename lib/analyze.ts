import type { CaptureBundle } from '@/lib/capture/types';
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
  const hosts = bundle.hosts.map(parseHost);
  const topology = buildTopology(hosts, bundle.cluster);
  const { findings, rulesVersion } = diagnose(topology);
  return { topology, findings, rulesVersion };
}
