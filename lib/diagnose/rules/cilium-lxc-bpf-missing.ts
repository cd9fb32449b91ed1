import type { Finding, Rule } from '../types';
import type { NamespaceState } from '@/lib/parse/types';
import { ranIn, tcFiltersKnown } from '@/lib/parse/collected';
import { deviceId, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { deviceEvidence, entityEvidence } from '../evidence';
import { vethPeer } from '../veth';
import type { ClusterContext } from '@/lib/capture/types';
import type { Topology } from '@/lib/topology/types';
import { note } from '../fix';
import { restartAgent } from '../agents';
import { deletePodCommands } from '../pod-owner';
import { finding } from '../finding';

const ID = 'cilium-lxc-bpf-missing';

/** Cilium names the host end of every endpoint's veth lxc<hash> (and lxc_health for its health endpoint). */
const LXC = /^lxc/;

function hasTcBpf(ns: NamespaceState, dev: string): boolean {
  return ns.tcFilters.some((f) => f.dev === dev && f.hook === 'ingress' && f.kind === 'bpf');
}

/** bpftool lists both tc (clsact/ingress) and tcx (tcx/ingress) attachments; Cilium ≥ 1.16 on kernel ≥ 6.6 uses tcx. */
function hasBpftoolIngress(ns: NamespaceState, dev: string): boolean {
  return ns.bpf.some((a) => a.dev === dev && a.hook.includes('ingress'));
}

/** Cilium's devices, or its programs (all named cil_…) on some device: a paste may not show cilium_host. */
function runsCilium(root: NamespaceState): boolean {
  const ciliumProgram = (name: string | undefined): boolean => name?.startsWith('cil_') ?? false;
  return root.interfaces.some((i) => i.name === 'cilium_host') || root.tcFilters.some((f) => ciliumProgram(f.bpfName)) || root.bpf.some((a) => ciliumProgram(a.name));
}

function findingFor(topology: Topology, cluster: ClusterContext | undefined, lxc: Device, healthy: Device | undefined, bpftoolRan: boolean): Finding {
  const { host, ns, iface } = lxc;
  const peer = vethPeer(lxc);
  const pod = peer.status === 'found' ? peer.peer : undefined;
  const contrast = healthy ? ns.tcFilters.filter((f) => f.dev === healthy.iface.name && f.kind === 'bpf') : [];
  return finding(ID, 'critical', {
    title: `${iface.name} on ${host.name} has no Cilium BPF program on ingress`,
    explanation:
      `${iface.name} is the host end of a Cilium endpoint${pod ? ` (the pod in netns ${pod.ns.netns ?? '?'})` : ''}. Cilium ` +
      `routes and polices everything the pod sends with the from-container program (cil_from_container) attached to ` +
      `${iface.name}'s ingress, as a tc filter or, on kernels ≥ 6.6, a tcx link. ` +
      (bpftoolRan
        ? `Neither tc filter show nor bpftool net show lists a program there${healthy ? `, while ${healthy.iface.name} on the same node has one` : ''}`
        : `tc filter show lists none there, while ${healthy?.iface.name ?? 'another endpoint'} on the same node has its program on tc (Cilium attaches every endpoint of a node the same way)`) +
      `, so the pod's packets ` +
      `reach the kernel stack unhandled: no service translation, no policy, no tunnel, and usually no way out.`,
    evidence: [deviceEvidence(lxc), ...contrast.flatMap((f) => entityEvidence(host, ns, f))],
    elements: [deviceId(lxc), ...(pod ? [deviceId(pod)] : [])],
    fix: [
      restartAgent(topology, cluster, 'cilium', host),
      note`or regenerate the endpoint: cilium endpoint list (in the agent on ${host.name}), then cilium endpoint regenerate <id>`,
      ...(pod ? [note`or recreate the pod`, ...deletePodCommands(topology, pod)] : []),
    ],
  });
}

export const ciliumLxcBpfMissing: Rule = {
  id: ID,
  severity: 'critical',
  title: 'A Cilium endpoint device has no BPF program attached',
  run(topology, cluster) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const root = rootNamespace(host);
      if (!root || !runsCilium(root)) continue;
      const lxcs = root.interfaces.filter((i) => LXC.test(i.name) && i.kind === 'veth').map((iface): Device => ({ host, ns: root, iface }));
      const attached = (d: Device): boolean => hasTcBpf(root, d.iface.name) || hasBpftoolIngress(root, d.iface.name);
      const healthy = lxcs.find(attached);
      // Without bpftool a program could sit on tcx, where tc does not see it; unless the node's other endpoints
      // hold theirs on tc, which Cilium uses for all endpoints of a node or for none.
      const onTc = healthy !== undefined && hasTcBpf(root, healthy.iface.name);
      const bpftoolRan = ranIn(root, 'bpftool-net', root.bpf.length > 0);
      if (!bpftoolRan && !onTc) continue;
      for (const lxc of lxcs) {
        if (attached(lxc) || !tcFiltersKnown(host, root, lxc.iface.name)) continue;
        out.push(findingFor(topology, cluster, lxc, healthy, bpftoolRan));
      }
    }
    return out;
  },
};
