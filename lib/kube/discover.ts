/**
 * Discovery: the cluster's nodes and pods as the bundle's cluster context. Lists are paged, so a cluster of
 * 30,000 pods never arrives as one response.
 */
import { CoreV1Api, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { ClusterCni, ClusterContext, ClusterNode, ClusterPod } from '@/lib/capture/types';
import { cniOfAgentPod, cniOfNodeAnnotations } from './cni';
import { withRetries } from './errors';

export const DEFAULT_PEER_POD_RUNTIME_CLASS = 'kata-remote';
const PAGE_SIZE = 500;

/** Pod annotations worth keeping: the CNI's record of the pod's networks. Others (manifests, env) stay out. */
/** Node annotations worth keeping: what flannel publishes for the other nodes' neighbour and FDB entries. */
const KEPT_NODE_ANNOTATIONS = [
  'flannel.alpha.coreos.com/backend-data',
  'flannel.alpha.coreos.com/backend-v6-data',
  'flannel.alpha.coreos.com/backend-type',
  'flannel.alpha.coreos.com/public-ip',
  'flannel.alpha.coreos.com/public-ipv6',
];

const KEPT_ANNOTATIONS = ['k8s.ovn.org/pod-networks', 'k8s.v1.cni.cncf.io/network-status', 'ovn.kubernetes.io/ip_address', 'ovn.kubernetes.io/mac_address'];

export interface DiscoveredPod extends ClusterPod {
  labels: Record<string, string>;
  phase?: string;
  containers: string[];
  /** Set when the pod is one of a CNI's node agents. */
  cniAgent?: ClusterCni;
}

export interface Discovery {
  cluster: ClusterContext;
  /** Every pod with what the runners need (labels, phase, containers); the cluster context keeps the public part. */
  pods: DiscoveredPod[];
}

async function listAll<T>(list: (page: { limit: number; _continue?: string }) => Promise<{ items: T[]; metadata?: { _continue?: string } }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await list({ limit: PAGE_SIZE, ...(token ? { _continue: token } : {}) });
    items.push(...page.items);
    token = page.metadata?._continue || undefined;
  } while (token);
  return items;
}

function toNode(node: V1Node): ClusterNode {
  const addresses = node.status?.addresses ?? [];
  const cidrs = node.spec?.podCIDRs?.length ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [];
  const info = node.status?.nodeInfo;
  const cni = cniOfNodeAnnotations(node.metadata?.annotations);
  const annotations = Object.fromEntries(Object.entries(node.metadata?.annotations ?? {}).filter(([k]) => KEPT_NODE_ANNOTATIONS.includes(k)));
  return {
    name: node.metadata?.name ?? '',
    internalIPs: addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address),
    ...(cidrs.length ? { podCIDRs: cidrs } : {}),
    ...(info?.osImage ? { os: info.osImage } : {}),
    ...(info?.kernelVersion ? { kernel: info.kernelVersion } : {}),
    ...(cni ? { cni } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
}

function toPod(pod: V1Pod): DiscoveredPod {
  const meta = pod.metadata;
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  const annotations = Object.fromEntries(Object.entries(meta?.annotations ?? {}).filter(([k]) => KEPT_ANNOTATIONS.includes(k)));
  const labels = meta?.labels ?? {};
  const cniAgent = cniOfAgentPod({ labels, name: meta?.name, hostNetwork: pod.spec?.hostNetwork });
  return {
    namespace: meta?.namespace ?? '',
    name: meta?.name ?? '',
    ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}),
    ...(ips.length > 1 ? { ips } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(pod.spec?.runtimeClassName ? { runtimeClassName: pod.spec.runtimeClassName } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
    labels,
    ...(pod.status?.phase ? { phase: pod.status.phase } : {}),
    containers: (pod.spec?.containers ?? []).map((c) => c.name),
    ...(cniAgent ? { cniAgent } : {}),
  };
}

function publicPod(pod: DiscoveredPod): ClusterPod {
  const { labels: _labels, phase: _phase, containers: _containers, cniAgent: _cniAgent, ...rest } = pod;
  return rest;
}

export interface DiscoverOptions {
  name?: string;
  peerPodRuntimeClass?: string;
}

/** Nodes (with the CNI their agent pod or annotations show) and pods; API refusals throw a KubeError for the user. */
export async function discoverCluster(kc: KubeConfig, opts: DiscoverOptions = {}): Promise<Discovery> {
  const core = kc.makeApiClient(CoreV1Api);
  // Both lists settle before a refusal is reported, so no request of this discovery outlives it.
  const [nodeList, podList] = await Promise.allSettled([
    withRetries({ verb: 'list', resource: 'nodes' }, () => listAll((page) => core.listNode(page))),
    withRetries({ verb: 'list', resource: 'pods' }, () => listAll((page) => core.listPodForAllNamespaces(page))),
  ]);
  if (nodeList.status === 'rejected') throw nodeList.reason;
  if (podList.status === 'rejected') throw podList.reason;
  const [nodes, pods] = [nodeList.value, podList.value];
  const discovered = pods.map(toPod);
  const agentCni = new Map<string, ClusterCni>();
  for (const pod of discovered) if (pod.cniAgent && pod.nodeName) agentCni.set(pod.nodeName, pod.cniAgent);
  const clusterNodes = nodes.map(toNode).map((node): ClusterNode => {
    const cni = agentCni.get(node.name) ?? node.cni;
    return cni ? { ...node, cni } : node;
  });
  return {
    cluster: {
      ...(opts.name ? { name: opts.name } : {}),
      nodes: clusterNodes,
      pods: discovered.map(publicPod),
      peerPodRuntimeClass: opts.peerPodRuntimeClass ?? DEFAULT_PEER_POD_RUNTIME_CLASS,
    },
    pods: discovered,
  };
}

export function isPeerPod(pod: ClusterPod, runtimeClass: string): boolean {
  return pod.runtimeClassName === runtimeClass;
}
