/**
 * Stage: point-to-point VXLAN/Geneve tunnels between hosts. Two ends pair when VNI and destination port are equal
 * and each end's remote is an address of the other end's host. Ends left over are marked `unpaired`; when a near
 * match exists (same pod IP on both sides, or remotes that agree but VNI/port differ) an `unpaired` tunnel edge
 * still joins them, labelled with the mismatch, so the diagnosis can paint the broken tunnel.
 * Collect-metadata devices (cilium_vxlan, vxlan_sys_4789, genev_sys_6081) have no fixed peer and are skipped;
 * devices without a remote are FDB-driven (fdb-tunnels.ts).
 */
import { edgeId } from './ids';
import type { NodeMark, StageInput, StageOutput } from './stage';
import { tunnelCandidates, type TunnelCandidates } from './tunnel-candidates';
import { addressesByHost, tunnelEnds, tunnelLabel, type TunnelEnd } from './tunnel-ends';
import type { TopoEdge } from './types';

type Owns = (host: string, ip: string | undefined) => boolean;

function ownsFn(addresses: ReadonlyMap<string, ReadonlySet<string>>): Owns {
  return (host, ip) => ip !== undefined && (addresses.get(host)?.has(ip) ?? false);
}

function isExactPair(a: TunnelEnd, b: TunnelEnd, owns: Owns): boolean {
  return a.host !== b.host && a.kind === b.kind && a.vni === b.vni && a.port === b.port && owns(b.host, a.remote) && owns(a.host, b.remote);
}

interface NearMatch {
  score: number;
  mismatch: string[];
}

function nearMatch(a: TunnelEnd, b: TunnelEnd, owns: Owns): NearMatch | undefined {
  if (a.host === b.host || a.kind !== b.kind) return undefined;
  const ab = owns(b.host, a.remote);
  const ba = owns(a.host, b.remote);
  const sharedIp = a.namespaceAddresses.some((ip) => b.namespaceAddresses.includes(ip));
  const vniEq = a.vni === b.vni;
  const portEq = a.port === b.port;
  if (!((ab && ba) || sharedIp || ((ab || ba) && vniEq))) return undefined;
  const mismatch: string[] = [];
  if (!vniEq) mismatch.push(`VNI ${a.vni ?? '?'} ≠ ${b.vni ?? '?'}`);
  if (!portEq) mismatch.push(`udp/${a.port ?? '?'} ≠ udp/${b.port ?? '?'}`);
  if (!ab) mismatch.push(`${a.iface.name} remote ${a.remote ?? 'none'} is not on ${b.host}`);
  if (!ba) mismatch.push(`${b.iface.name} remote ${b.remote ?? 'none'} is not on ${a.host}`);
  const score = (sharedIp ? 2 : 0) + Number(ab) + Number(ba) + Number(vniEq) + Number(portEq);
  return { score, mismatch };
}

function tunnelEdge(a: TunnelEnd, b: TunnelEnd, label: string, unpaired: boolean): TopoEdge {
  const [source, target] = a.id <= b.id ? [a.id, b.id] : [b.id, a.id];
  return {
    id: edgeId('tunnel', a.id, b.id),
    kind: 'tunnel',
    source,
    target,
    directed: false,
    label,
    vni: a.vni,
    port: a.port,
    marks: unpaired ? ['unpaired'] : [],
  };
}

function pairExact(ends: TunnelEnd[], owns: Owns, candidates: TunnelCandidates): { edges: TopoEdge[]; paired: Set<string> } {
  const paired = new Set<string>();
  const edges: TopoEdge[] = [];
  for (const a of ends) {
    if (paired.has(a.id)) continue;
    const at = candidates.onRemoteHost(a).find((i) => !paired.has(ends[i].id) && ends[i].id !== a.id && isExactPair(a, ends[i], owns));
    if (at === undefined) continue;
    const b = ends[at];
    paired.add(a.id).add(b.id);
    edges.push(tunnelEdge(a, b, tunnelLabel(a.kind, a.vni, a.port), false));
  }
  return { edges, paired };
}

function pairNear(left: TunnelEnd[], owns: Owns, candidates: TunnelCandidates): TopoEdge[] {
  const used = new Set<string>();
  const edges: TopoEdge[] = [];
  for (const a of left) {
    if (used.has(a.id)) continue;
    let best: { end: TunnelEnd; match: NearMatch } | undefined;
    for (const i of candidates.related(a)) {
      const b = left[i];
      if (used.has(b.id) || b.id === a.id) continue;
      const match = nearMatch(a, b, owns);
      if (match !== undefined && (best === undefined || match.score > best.match.score)) best = { end: b, match };
    }
    if (best === undefined) continue;
    used.add(a.id).add(best.end.id);
    edges.push(tunnelEdge(a, best.end, `${tunnelLabel(a.kind, a.vni, a.port)} · ${best.match.mismatch.join(', ')}`, true));
  }
  return edges;
}

export function tunnelStage(input: StageInput): StageOutput {
  const addresses = addressesByHost(input.hosts);
  const owns = ownsFn(addresses);
  const ends = tunnelEnds(input.hosts).filter((e) => !e.external && e.remote !== undefined);
  const exact = pairExact(ends, owns, tunnelCandidates(ends, addresses));
  const left = ends.filter((e) => !exact.paired.has(e.id));
  const marks: NodeMark[] = left.map((e) => ({ id: e.id, mark: 'unpaired' }));
  return { edges: [...exact.edges, ...pairNear(left, owns, tunnelCandidates(left, addresses))], marks };
}
