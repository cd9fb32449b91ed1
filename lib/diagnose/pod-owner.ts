/**
 * The Kubernetes pod that owns a network namespace, when the capture's cluster context names it (the topology's
 * pod stage links a pod to each namespace holding its IP). Fixes then name the object, not a placeholder.
 */
import type { ClusterPod } from '@/lib/capture/types';
import { netnsId } from '@/lib/topology/ids';
import type { Topology } from '@/lib/topology/types';
import { sh, type ShellLine } from './fix';

export function podOwningNetns(topology: Topology, host: string, netns: string | null): ClusterPod | undefined {
  if (netns === null) return undefined;
  const target = netnsId(host, netns);
  const podIds = new Set(topology.edges.filter((e) => e.kind === 'pod-netns' && e.target === target).map((e) => e.source));
  if (podIds.size !== 1) return undefined;
  const node = topology.nodes.find((n) => n.kind === 'pod' && podIds.has(n.id));
  return node && !node.inferred ? node.pod : undefined;
}

/** `kubectl delete pod NAME --namespace NS` for the pod that owns the namespace, or with placeholders. */
export function deletePodCommand(topology: Topology, host: string, netns: string | null): ShellLine {
  const pod = podOwningNetns(topology, host, netns);
  if (!pod) return sh`kubectl delete pod <peer-pod> --namespace <namespace>`;
  return sh`kubectl delete pod ${pod.name} --namespace ${pod.namespace}`;
}
