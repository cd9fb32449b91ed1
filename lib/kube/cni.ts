/**
 * Which CNI a node runs, read from the CNI's own agent pod on that node (the DaemonSets' labels as their upstream
 * manifests set them), or else from the annotations each CNI writes on the Node object.
 */
import type { ClusterCni } from '@/lib/capture/types';

interface Labelled {
  labels?: Record<string, string>;
  name?: string;
  /** Every CNI's node agent runs in the host's network namespace; a workload pod with a similar name does not. */
  hostNetwork?: boolean;
}

/** Agent pod selectors, one per CNI: a pod matches when every label given matches. */
const AGENT_LABELS: readonly { cni: ClusterCni; labels: Record<string, string>; namePrefix: string }[] = [
  { cni: 'ovn-kubernetes', labels: { app: 'ovnkube-node' }, namePrefix: 'ovnkube-node-' },
  { cni: 'cilium', labels: { 'k8s-app': 'cilium' }, namePrefix: 'cilium-' },
  { cni: 'flannel', labels: { app: 'flannel' }, namePrefix: 'kube-flannel-ds-' },
  { cni: 'calico', labels: { 'k8s-app': 'calico-node' }, namePrefix: 'calico-node-' },
  { cni: 'antrea', labels: { app: 'antrea', component: 'antrea-agent' }, namePrefix: 'antrea-agent-' },
  { cni: 'kube-ovn', labels: { app: 'kube-ovn-cni' }, namePrefix: 'kube-ovn-cni-' },
];

/** Node annotations each CNI writes (prefix of the key). */
const NODE_ANNOTATIONS: readonly { cni: ClusterCni; prefix: string }[] = [
  { cni: 'ovn-kubernetes', prefix: 'k8s.ovn.org/' },
  { cni: 'kube-ovn', prefix: 'ovn.kubernetes.io/' },
  { cni: 'cilium', prefix: 'io.cilium.' },
  { cni: 'cilium', prefix: 'network.cilium.io/' },
  { cni: 'flannel', prefix: 'flannel.alpha.coreos.com/' },
  { cni: 'calico', prefix: 'projectcalico.org/' },
  { cni: 'antrea', prefix: 'node.antrea.io/' },
];

export function cniOfAgentPod(pod: Labelled): ClusterCni | undefined {
  if (!pod.hostNetwork) return undefined;
  const labels = pod.labels ?? {};
  const byLabel = AGENT_LABELS.find((a) => Object.entries(a.labels).every(([k, v]) => labels[k] === v));
  // Operators (OpenShift, Rancher) relabel DaemonSets; the pod name keeps the DaemonSet's name.
  return byLabel?.cni ?? AGENT_LABELS.find((a) => pod.name?.startsWith(a.namePrefix) && pod.name.length > a.namePrefix.length)?.cni;
}

export function cniOfNodeAnnotations(annotations: Record<string, string> | undefined): ClusterCni | undefined {
  const keys = Object.keys(annotations ?? {});
  return NODE_ANNOTATIONS.find((a) => keys.some((k) => k.startsWith(a.prefix)))?.cni;
}

/** The container of each CNI's node agent that runs in the host's network namespace with iproute2 (as their own trace and sysdump tools use). */
const AGENT_CONTAINERS: Record<ClusterCni, readonly string[]> = {
  'ovn-kubernetes': ['ovnkube-controller', 'ovnkube-node', 'ovn-controller'],
  cilium: ['cilium-agent'],
  flannel: ['kube-flannel'],
  calico: ['calico-node'],
  antrea: ['antrea-agent'],
  'kube-ovn': ['cni-server'],
};

export function cniAgentContainer(cni: ClusterCni, containers: readonly string[]): string | undefined {
  return AGENT_CONTAINERS[cni].find((c) => containers.includes(c)) ?? containers[0];
}
