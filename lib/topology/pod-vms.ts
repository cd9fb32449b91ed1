/**
 * Stage: each peer pod a worker's adaptor recorded (its per-sandbox `pod-network`) joined to its pod VM by the pod IP:
 * the VM host that holds the IP, else the VM host named after the pod that no way reached, else a pod VM node made
 * from the record alone. Each VM host node then carries what its worker expects of it (VNI, port, MTU, pod IP, the
 * worker's address as the remote), which way reached it, and why it was not reached.
 */
import type { ClusterPod } from '@/lib/capture/types';
import { unreachedPodVmName } from '@/lib/capture/pod-vm';
import type { HostState, PeerPodSandbox } from '@/lib/parse/types';
import { hostId } from './ids';
import type { StageInput, StageOutput } from './stage';
import type { PodVmFacts, TopoNode } from './types';

function holdsIp(host: HostState, ip: string): boolean {
  return host.namespaces.some((ns) => ns.interfaces.some((i) => i.addresses.some((a) => a.local === ip)));
}

function podWithIp(pods: readonly ClusterPod[], ip: string): ClusterPod | undefined {
  return pods.find((p) => p.ip === ip || p.ips?.includes(ip));
}

/** The VM host of one record: by the pod IP it holds, else by the pod its unreached capture names. */
function vmHostOf(hosts: readonly HostState[], record: PeerPodSandbox, pod: ClusterPod | undefined): HostState | undefined {
  const vms = hosts.filter((h) => h.role === 'podvm');
  const ip = record.podIp;
  const byIp = ip === undefined ? undefined : vms.find((h) => holdsIp(h, ip));
  if (byIp) return byIp;
  return pod ? vms.find((h) => h.podVm?.pod?.namespace === pod.namespace && h.podVm.pod.name === pod.name) : undefined;
}

function factsOf(worker: HostState, record: PeerPodSandbox, pod: ClusterPod | undefined, vm: HostState | undefined): PodVmFacts {
  const facts: PodVmFacts = { worker: worker.name, sandbox: record.sandbox, expected: record };
  if (pod) facts.pod = `${pod.namespace}/${pod.name}`;
  if (vm?.podVm?.via) facts.reachedBy = vm.podVm.via;
  if (!vm) facts.unreached = "not collected: only its worker's record of the tunnel is known";
  else if (vm.status === 'failed') facts.unreached = vm.error ?? 'not reached';
  return facts;
}

export function podVmStage(input: StageInput): StageOutput {
  const pods = input.cluster?.pods ?? [];
  const hostNodes = new Map(input.nodes.filter((n) => n.kind === 'host').map((n) => [n.id, n]));
  const nodes: TopoNode[] = [];
  for (const worker of input.hosts) {
    for (const record of worker.peerpodSandboxes ?? []) {
      const pod = record.podIp === undefined ? undefined : podWithIp(pods, record.podIp);
      const vm = vmHostOf(input.hosts, record, pod);
      const podVm = factsOf(worker, record, pod, vm);
      const name = vm?.name ?? (pod ? unreachedPodVmName(pod) : `sandbox-${record.sandbox}.podvm`);
      const existing = hostNodes.get(hostId(name));
      // Host nodes are this build's own: the facts join them in place.
      if (existing) existing.podVm = podVm;
      else nodes.push({ id: hostId(name), kind: 'host', label: name, host: name, role: 'podvm', podVm, marks: ['partial-host'] });
    }
  }
  return { nodes };
}
