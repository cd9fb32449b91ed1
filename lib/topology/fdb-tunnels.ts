/**
 * Stage: tunnels of FDB-driven devices (flannel.1 style: no remote, `bridge fdb` entries whose `dst` is the
 * remote VTEP address). Each entry pairs the device with the compatible tunnel device (same kind, VNI, port) on
 * the host owning `dst`. An entry whose MAC is not that device's MAC still yields the edge, marked `unpaired`.
 */
import type { FdbEntry, HostState } from '@/lib/parse/types';
import { edgeId } from './ids';
import { findNamespace } from './inventory';
import type { NodeMark, StageInput, StageOutput } from './stage';
import { tunnelCandidates } from './tunnel-candidates';
import { addressesByHost, tunnelEnds, tunnelLabel, type TunnelEnd } from './tunnel-ends';
import type { TopoEdge, UnresolvedRef } from './types';

function fdbEntries(hosts: readonly HostState[], end: TunnelEnd): FdbEntry[] {
  const host = hosts.find((h) => h.name === end.host);
  const ns = host === undefined ? undefined : findNamespace(host, end.netns);
  return (ns?.fdb ?? []).filter((e) => e.dev === end.iface.name && e.dst !== undefined);
}

function compatible(a: TunnelEnd, b: TunnelEnd): boolean {
  return a.host !== b.host && !b.external && a.kind === b.kind && a.vni === b.vni && a.port === b.port;
}

/** What `compatible` compares besides the host: kind, VNI and port. */
function signature(end: TunnelEnd): string {
  return `${end.kind}|${end.vni}|${end.port}`;
}

function sameMac(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

export function fdbTunnelStage(input: StageInput): StageOutput {
  const addresses = addressesByHost(input.hosts);
  const all = tunnelEnds(input.hosts);
  const candidates = tunnelCandidates(all, addresses);
  const fdbStyle = all.filter((e) => !e.external && e.remote === undefined);
  const edges = new Map<string, TopoEdge>();
  const marks: NodeMark[] = [];
  const unresolved: UnresolvedRef[] = [];
  for (const end of fdbStyle) {
    for (const entry of fdbEntries(input.hosts, end)) {
      const dst = entry.dst ?? '';
      const owner = candidates.owners(dst).find((host) => host !== end.host);
      if (owner === undefined) {
        unresolved.push({ kind: 'tunnel', from: end.id, target: dst, reason: `FDB entry ${entry.mac} → ${dst}: no captured host owns ${dst}` });
        continue;
      }
      const onOwner = candidates
        .onHost(owner)
        .map((i) => all[i])
        .filter((b) => compatible(end, b));
      const far = onOwner.find((b) => sameMac(b.iface.mac, entry.mac)) ?? onOwner[0];
      if (far === undefined) {
        marks.push({ id: end.id, mark: 'unpaired' });
        unresolved.push({
          kind: 'tunnel',
          from: end.id,
          target: dst,
          reason: `${owner} owns ${dst} but has no tunnel device with VNI ${end.vni ?? '?'} and udp/${end.port ?? '?'}`,
        });
        continue;
      }
      const id = edgeId('tunnel', end.id, far.id);
      const macOk = sameMac(far.iface.mac, entry.mac);
      const previous = edges.get(id);
      if (previous !== undefined && previous.marks.length > 0) continue;
      const label = tunnelLabel(end.kind, end.vni, end.port) + (macOk ? '' : ` · FDB MAC ${entry.mac} ≠ ${far.iface.name} MAC ${far.iface.mac ?? '?'}`);
      const [source, target] = end.id <= far.id ? [end.id, far.id] : [far.id, end.id];
      edges.set(id, { id, kind: 'tunnel', source, target, directed: false, label, vni: end.vni, port: end.port, marks: macOk ? [] : ['unpaired'] });
    }
  }
  const connected = new Set([...edges.values()].flatMap((e) => [e.source, e.target]));
  const hostsBySignature = new Map<string, Set<string>>();
  for (const end of fdbStyle) hostsBySignature.set(signature(end), (hostsBySignature.get(signature(end)) ?? new Set()).add(end.host));
  for (const end of fdbStyle) {
    // A compatible device on another host exists exactly when more than one host has this signature.
    if (!connected.has(end.id) && (hostsBySignature.get(signature(end))?.size ?? 0) > 1) marks.push({ id: end.id, mark: 'unpaired' });
  }
  return { edges: [...edges.values()], marks, unresolved };
}
