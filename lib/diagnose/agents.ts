/**
 * The node agents that own what a fix repairs by hand (the CNI's DaemonSet pods, cloud-api-adaptor): the durable
 * remedy restarts the one on the host's node, so it rebuilds its devices, entries and rules from its own state.
 * The pod is named where the cluster context lists it; else it is selected by its upstream label on that node.
 */
import type { ClusterContext } from '@/lib/capture/types';
import type { HostState } from '@/lib/parse/types';
import type { Topology } from '@/lib/topology/types';
import { note, sh, type ShellLine, type ShellPart } from './fix';
import { kubeNodeName } from './fix-host';

export type Agent = 'flannel' | 'calico' | 'cilium' | 'ovn-kubernetes' | 'antrea' | 'kube-ovn' | 'cloud-api-adaptor';

interface AgentFacts {
  /** Its DaemonSet's namespace where every distribution agrees on one; else pods are selected in all namespaces. */
  namespace?: string;
  selector: string;
  /** The DaemonSet's pod name prefix, which operators keep when they relabel. */
  prefix: string;
}

const AGENTS: Record<Agent, AgentFacts> = {
  // kube-flannel since v0.20, kube-system before and in k3s/RKE.
  flannel: { selector: 'app=flannel', prefix: 'kube-flannel-ds-' },
  // calico-system under the operator, kube-system with the manifest.
  calico: { selector: 'k8s-app=calico-node', prefix: 'calico-node-' },
  cilium: { namespace: 'kube-system', selector: 'k8s-app=cilium', prefix: 'cilium-' },
  // ovn-kubernetes upstream, openshift-ovn-kubernetes on OpenShift.
  'ovn-kubernetes': { selector: 'app=ovnkube-node', prefix: 'ovnkube-node-' },
  antrea: { namespace: 'kube-system', selector: 'component=antrea-agent', prefix: 'antrea-agent-' },
  'kube-ovn': { namespace: 'kube-system', selector: 'app=kube-ovn-cni', prefix: 'kube-ovn-cni-' },
  // confidential-containers-system upstream, openshift-sandboxed-containers-operator on OpenShift.
  'cloud-api-adaptor': { selector: 'app=cloud-api-adaptor', prefix: 'cloud-api-adaptor-daemonset-' },
};

/** The command that restarts `agent` on the node `host` is: its DaemonSet starts a new pod there at once. */
export function restartAgent(topology: Topology, cluster: ClusterContext | undefined, agent: Agent, host: HostState | string): ShellLine {
  const facts = AGENTS[agent];
  const state = typeof host === 'string' ? topology.hosts.find((h) => h.name === host) : host;
  const node = (state && kubeNodeName(topology, cluster, state)) ?? (typeof host === 'string' ? host : host.name);
  const pod = cluster?.pods.find((p) => p.nodeName === node && p.name.startsWith(facts.prefix) && p.name.length > facts.prefix.length);
  if (pod) return sh`kubectl -n ${pod.namespace} delete pod ${pod.name}`;
  if (facts.namespace === undefined) return sh`kubectl delete pod -A -l ${facts.selector} --field-selector spec.nodeName=${node}`;
  return sh`kubectl -n ${facts.namespace} delete pod -l ${facts.selector} --field-selector spec.nodeName=${node}`;
}

/** The agent owning an overlay device: the CNI the cluster context records for the node, else the device's name. */
export function overlayAgent(topology: Topology, cluster: ClusterContext | undefined, host: HostState, device: string): Agent | undefined {
  const node = kubeNodeName(topology, cluster, host);
  const cni = cluster?.nodes.find((n) => n.name === node)?.cni;
  if (cni !== undefined) return cni;
  if (device.startsWith('flannel')) return 'flannel';
  if (device.endsWith('.calico')) return 'calico';
  if (device.startsWith('cilium_')) return 'cilium';
  if (device === 'genev_sys_6081' || device === 'ovn-k8s-mp0') return 'ovn-kubernetes';
  if (device === 'antrea-tun0' || device === 'antrea-gw0') return 'antrea';
  return undefined;
}

/** The durable remedy for what an overlay agent wrote on `host` (`rebuilds` says what it writes again). */
export function restartOverlayAgent(topology: Topology, cluster: ClusterContext | undefined, host: HostState, device: string, rebuilds: ShellPart): ShellLine[] {
  const agent = overlayAgent(topology, cluster, host, device);
  if (agent === undefined) return [note`durable: restart the CNI agent on ${host.name}, which ${rebuilds}`];
  return [note`durable: restart the ${agent} agent on ${host.name}, which ${rebuilds}`, restartAgent(topology, cluster, agent, host)];
}
