// Minimal starting point; the full topology builder replaces this file.
import type { ClusterContext } from '@/lib/capture/types';
import type { HostState } from '@/lib/parse/types';
import type { Topology, TopoNode } from './types';

export function buildTopology(hosts: HostState[], _cluster?: ClusterContext): Topology {
  const nodes: TopoNode[] = [];
  for (const host of hosts) {
    const hostId = `host:${host.name}`;
    nodes.push({ id: hostId, kind: 'host', label: host.name, host: host.name, role: host.role, marks: [] });
    for (const ns of host.namespaces) {
      const nsId = ns.netns === null ? hostId : `${hostId}/ns:${ns.netns}`;
      if (ns.netns !== null) nodes.push({ id: nsId, kind: 'netns', label: ns.netns, parent: hostId, host: host.name, netns: ns.netns, marks: [] });
      for (const iface of ns.interfaces) {
        nodes.push({ id: `${nsId}/if:${iface.name}`, kind: 'interface', label: iface.name, parent: nsId, host: host.name, netns: ns.netns, iface, marks: [] });
      }
    }
  }
  return { hosts, nodes, edges: [] };
}
