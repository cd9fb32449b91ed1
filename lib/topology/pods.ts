/**
 * Stage: pod nodes and 'pod-netns' edges. With cluster context, every pod with an IP is linked to each named
 * namespace holding that IP (a peer pod has two: its worker namespace and the pod VM's namespace). Without it,
 * pods are inferred: one per global IPv4 held in a named namespace, id from the first holder (worker hosts
 * before pod VMs, then by id) as `pod:<host>/<netns>`.
 */
import type { ClusterPod } from '@/lib/capture/types';
import type { HostState } from '@/lib/parse/types';
import { edgeId, netnsId, podId } from './ids';
import { globalAddresses } from './inventory';
import type { StageInput, StageOutput } from './stage';
import type { TopoEdge, TopoNode } from './types';

interface Holder {
  host: HostState;
  netns: string;
  id: string;
}

/** Global IPv4 → the named namespaces holding it. */
function holdersByIp(hosts: readonly HostState[]): Map<string, Holder[]> {
  const out = new Map<string, Holder[]>();
  for (const host of hosts)
    for (const ns of host.namespaces) {
      if (ns.netns === null) continue;
      const ips = new Set(
        ns.interfaces.flatMap((i) =>
          globalAddresses(i)
            .filter((a) => a.family === 'inet')
            .map((a) => a.local),
        ),
      );
      for (const ip of ips) out.set(ip, [...(out.get(ip) ?? []), { host, netns: ns.netns, id: netnsId(host.name, ns.netns) }]);
    }
  return out;
}

function podNetnsEdges(pod: string, holders: readonly Holder[]): TopoEdge[] {
  return holders.map((h) => ({
    id: edgeId('pod-netns', pod, h.id),
    kind: 'pod-netns',
    source: pod,
    target: h.id,
    directed: false,
    label: h.host.role === 'podvm' ? 'pod VM' : 'netns',
    marks: [],
  }));
}

function podIps(pod: ClusterPod): string[] {
  return [...new Set([...(pod.ip === undefined ? [] : [pod.ip]), ...(pod.ips ?? [])])];
}

function clusterPods(pods: readonly ClusterPod[], holders: Map<string, Holder[]>): StageOutput {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  for (const pod of pods) {
    const id = podId(pod.namespace, pod.name);
    nodes.push({ id, kind: 'pod', label: `${pod.namespace}/${pod.name}`, host: pod.nodeName ?? '', pod, marks: [] });
    const found = podIps(pod).flatMap((ip) => holders.get(ip) ?? []);
    const unique = [...new Map(found.map((h) => [h.id, h])).values()];
    edges.push(...podNetnsEdges(id, unique));
  }
  return { nodes, edges };
}

function holderOrder(a: Holder, b: Holder): number {
  const rank = (h: Holder): number => (h.host.role === 'podvm' ? 1 : 0);
  return rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function inferredPods(holders: Map<string, Holder[]>): StageOutput {
  const nodes = new Map<string, TopoNode>();
  const edges: TopoEdge[] = [];
  for (const [ip, list] of [...holders.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = [...list].sort(holderOrder);
    const first = sorted[0];
    const id = podId(first.host.name, first.netns);
    if (!nodes.has(id)) {
      const pod: ClusterPod = { namespace: '', name: first.netns, ip, nodeName: first.host.name };
      nodes.set(id, { id, kind: 'pod', label: `${first.netns} (${ip})`, host: first.host.name, pod, inferred: true, marks: [] });
    }
    edges.push(...podNetnsEdges(id, sorted));
  }
  return { nodes: [...nodes.values()], edges };
}

export function podStage(input: StageInput): StageOutput {
  const holders = holdersByIp(input.hosts);
  const pods = input.cluster?.pods ?? [];
  return pods.length > 0 ? clusterPods(pods, holders) : inferredPods(holders);
}
