/**
 * Stage: veth peer edges. A peer is found by ifindex (link_index or `@ifN`) in the namespace that link_netnsid
 * names from the device's own namespace, or by name (`link`) in the same namespace.
 */
import type { HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { edgeId, ifaceId } from './ids';
import { findIfaceByIndex, findIfaceByName, findNamespace, resolveNsid } from './inventory';
import type { NodeMark, StageInput, StageOutput } from './stage';
import type { TopoEdge, UnresolvedRef } from './types';

type PeerLookup = { found: true; netns: string | null; peer: Interface } | { found: false; mark: 'peer-missing' | 'peer-elsewhere'; target?: string; reason: string };

function peerIndex(iface: Interface): number | undefined {
  if (iface.linkIndex !== undefined) return iface.linkIndex;
  const m = /^if(\d+)$/.exec(iface.link ?? '');
  return m ? Number(m[1]) : undefined;
}

/** A peer whose own link points back at us: resolves pairs when `ip netns list-id` was not captured. */
function mutualPeer(host: HostState, iface: Interface, index: number): { netns: string | null; peer: Interface } | undefined {
  for (const ns of host.namespaces) {
    const peer = findIfaceByIndex(ns, index);
    if (peer !== undefined && peer !== iface && peerIndex(peer) === iface.ifindex) return { netns: ns.netns, peer };
  }
  return undefined;
}

function lookupAcrossNamespaces(host: HostState, ns: NamespaceState, iface: Interface, index: number, nsid: number): PeerLookup {
  const resolved = resolveNsid(ns, nsid);
  const target = `nsid ${nsid} ifindex ${index}`;
  if (resolved.known) {
    const peerNs = findNamespace(host, resolved.netns);
    if (peerNs === undefined) {
      return { found: false, mark: 'peer-elsewhere', target, reason: `peer is in namespace ${resolved.netns ?? 'root'}, which was not captured` };
    }
    const peer = findIfaceByIndex(peerNs, index);
    if (peer !== undefined) return { found: true, netns: peerNs.netns, peer };
    return { found: false, mark: 'peer-missing', target, reason: `no ifindex ${index} in namespace ${resolved.netns ?? 'root'}` };
  }
  if (resolved.unnamed) return { found: false, mark: 'peer-elsewhere', target, reason: `nsid ${nsid} is a namespace without a name on this host, which was not captured` };
  const mutual = mutualPeer(host, iface, index);
  if (mutual !== undefined) return { found: true, ...mutual };
  return { found: false, mark: 'peer-elsewhere', target, reason: `nsid ${nsid} is not listed by ip netns list-id and no captured device points back` };
}

export function lookupPeer(host: HostState, ns: NamespaceState, iface: Interface): PeerLookup {
  if (iface.link === null) return { found: false, mark: 'peer-missing', reason: 'the kernel reports no peer (@NONE)' };
  const index = peerIndex(iface);
  if (iface.linkNetnsId !== undefined && index !== undefined) return lookupAcrossNamespaces(host, ns, iface, index, iface.linkNetnsId);
  if (iface.link !== undefined && !/^if\d+$/.test(iface.link)) {
    const peer = findIfaceByName(ns, iface.link);
    if (peer !== undefined) return { found: true, netns: ns.netns, peer };
    return { found: false, mark: 'peer-missing', target: iface.link, reason: `no device ${iface.link} in the same namespace` };
  }
  if (index !== undefined) {
    const local = findIfaceByIndex(ns, index);
    if (local !== undefined && local !== iface) return { found: true, netns: ns.netns, peer: local };
    const mutual = mutualPeer(host, iface, index);
    if (mutual !== undefined) return { found: true, ...mutual };
    return { found: false, mark: 'peer-missing', target: `if${index}`, reason: `no captured device has ifindex ${index}` };
  }
  return { found: false, mark: 'peer-missing', reason: 'the capture shows no peer index or name' };
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
