/**
 * The Kubernetes pod that owns a network namespace, when the capture's cluster context names it (the topology's
 * pod stage links a pod to each namespace holding its IP). Fixes then name the object, not a placeholder.
 */
import type { ClusterPod } from '@/lib/capture/types';
import { netnsId } from '@/lib/topology/ids';
import type { Topology } from '@/lib/topology/types';
import { globalAddresses, type Device } from '@/lib/topology/query/devices';
import { sh, type ShellLine } from './fix';

export function podOwningNetns(topology: Topology, host: string, netns: string | null): ClusterPod | undefined {
  if (netns === null) return undefined;
  const target = netnsId(host, netns);
  const podIds = new Set(topology.edges.filter((e) => e.kind === 'pod-netns' && e.target === target).map((e) => e.source));
  if (podIds.size !== 1) return undefined;
  const node = topology.nodes.find((n) => n.kind === 'pod' && podIds.has(n.id));
  return node && !node.inferred ? node.pod : undefined;
}

/**
 * The commands that delete the pod holding `podIf` so its controller recreates it: by name where the cluster
 * context knows the pod, else by the pod IP the capture holds (a pod IP belongs to one running pod), listed first.
 */
export function deletePodCommands(topology: Topology, podIf: Device): ShellLine[] {
  const pod = podOwningNetns(topology, podIf.host.name, podIf.ns.netns);
  if (pod) return [sh`kubectl delete pod ${pod.name} --namespace ${pod.namespace}`];
  const ip = globalAddresses(podIf.iface)[0];
  if (ip === undefined) return [sh`kubectl delete pod <pod> --namespace <namespace>`];
  return [sh`kubectl get pods -A -o wide --field-selector status.podIP=${ip}`, sh`kubectl delete pods -A --field-selector status.podIP=${ip}`];
}
