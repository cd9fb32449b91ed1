/**
 * Stage: veth peer edges, from the peer each end names (lib/topology/veth-peer.ts).
 */
import type { HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { edgeId, ifaceId } from './ids';
import { peerIndex, resolveVethPeer } from './veth-peer';
import type { NodeMark, StageInput, StageOutput } from './stage';
import type { TopoEdge, UnresolvedRef } from './types';

type PeerLookup = { found: true; netns: string | null; peer: Interface } | { found: false; mark: 'peer-missing' | 'peer-elsewhere'; target?: string; reason: string };

export function lookupPeer(host: HostState, ns: NamespaceState, iface: Interface): PeerLookup {
  const r = resolveVethPeer(host, ns, iface);
  if (r.status === 'found') return { found: true, netns: r.ns.netns, peer: r.peer };
  const mark = r.status === 'missing' ? 'peer-missing' : 'peer-elsewhere';
  return { found: false, mark, ...(r.target !== undefined ? { target: r.target } : {}), reason: r.reason };
}

/** Plain `ip a` has no kind: a `name@ifN` device counts as a veth only when its peer points back. */
function isUntypedPair(host: HostState, ns: NamespaceState, iface: Interface): boolean {
  if (iface.kind !== 'device') return false;
  const result = lookupPeer(host, ns, iface);
  return result.found && peerIndex(result.peer) === iface.ifindex;
}

export function vethStage(input: StageInput): StageOutput {
  const edges = new Map<string, TopoEdge>();
  const marks: NodeMark[] = [];
  const unresolved: UnresolvedRef[] = [];
  for (const host of input.hosts) {
    for (const ns of host.namespaces) {
      for (const iface of ns.interfaces) {
        if (iface.kind !== 'veth' && !isUntypedPair(host, ns, iface)) continue;
        const from = ifaceId(host.name, ns.netns, iface.name);
        const result = lookupPeer(host, ns, iface);
        if (result.found) {
          const to = ifaceId(host.name, result.netns, result.peer.name);
          const id = edgeId('veth', from, to);
          edges.set(id, { id, kind: 'veth', source: from <= to ? from : to, target: from <= to ? to : from, directed: false, label: 'veth', marks: [] });
        } else {
          marks.push({ id: from, mark: result.mark });
          unresolved.push({ kind: 'veth', from, target: result.target, reason: result.reason });
        }
      }
    }
  }
  return { edges: [...edges.values()], marks, unresolved };
}
