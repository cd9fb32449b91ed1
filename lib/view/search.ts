/** Search the topology by pod name, IP, MAC or device name; results point at element ids. */
import type { Topology } from '@/lib/topology/types';

export type MatchKind = 'pod' | 'ip' | 'mac' | 'name';

export interface SearchHit {
  id: string;
  label: string;
  host: string;
  match: MatchKind;
  text: string;
}

export const MAX_HITS = 50;

export function searchTopology(topology: Topology, query: string): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (q.length < 2) return [];
  const hits: SearchHit[] = [];
  const podNetns = new Map(topology.edges.filter((e) => e.kind === 'pod-netns').map((e) => [e.source, e.target]));
  for (const node of topology.nodes) {
    if (hits.length >= MAX_HITS) break;
    const hit = (match: MatchKind, text: string) => hits.push({ id: node.id, label: node.label, host: node.host, match, text });
    if (node.pod) {
      const name = `${node.pod.namespace}/${node.pod.name}`;
      const ips = [node.pod.ip, ...(node.pod.ips ?? [])].filter((ip): ip is string => !!ip);
      if (name.toLowerCase().includes(q)) hit('pod', name);
      else if (ips.some((ip) => ip === q)) hit('ip', ips.join(', '));
      const netns = podNetns.get(node.id);
      if (netns && name.toLowerCase().includes(q)) hits.push({ id: netns, label: name, host: node.host, match: 'pod', text: 'pod namespace' });
      continue;
    }
    const iface = node.iface;
    const address = iface?.addresses.find((a) => a.local.toLowerCase() === q || `${a.local}/${a.prefixlen}` === q);
    if (address) hit('ip', `${address.local}/${address.prefixlen}`);
    else if (iface?.mac && iface.mac.toLowerCase() === q.replace(/-/g, ':')) hit('mac', iface.mac);
    else if (node.label.toLowerCase().includes(q)) hit('name', node.label);
  }
  return hits;
}
