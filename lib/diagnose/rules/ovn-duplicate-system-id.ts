import type { Finding, Rule } from '../types';
import type { HostState } from '@/lib/parse/types';
import { hostId } from '@/lib/topology/ids';
import { externalIdEvidence } from '../open-vswitch';
import { usesOvn } from '../ovs';
import { note, sh } from '../fix';
import { finding } from '../finding';
import { on, type FixEntry } from '../fix-host';
import { restartAgent } from '../agents';
import type { ClusterContext } from '@/lib/capture/types';
import type { Topology } from '@/lib/topology/types';

const ID = 'ovn-duplicate-system-id';

function newId(topology: Topology, cluster: ClusterContext | undefined, host: HostState): FixEntry[] {
  return [
    on(host),
    sh`uuidgen > /etc/openvswitch/system-id.conf`,
    sh`ovs-vsctl set Open_vSwitch . external_ids:system-id="$(cat /etc/openvswitch/system-id.conf)"`,
    note`then restart ovn-controller (the ovnkube-node pod) on ${host.name}`,
    restartAgent(topology, cluster, 'ovn-kubernetes', host),
  ];
}

function duplicate(topology: Topology, cluster: ClusterContext | undefined, id: string, hosts: HostState[]): Finding {
  const names = hosts.map((h) => h.name);
  return finding(ID, 'warning', {
    title: `${names.join(' and ')} share OVS system-id ${id}`,
    explanation:
      `ovn-controller registers its node in the OVN southbound database as the chassis named by external_ids:system-id, ` +
      `and ${names.join(', ')} all use ${id}. The nodes overwrite each other's chassis record (encap IP, port bindings), ` +
      `so OVN sends tunnel traffic for one node's pods to the other and ports flap between them. This is what cloning a VM ` +
      `with its Open vSwitch database does.`,
    evidence: hosts.flatMap((h) => externalIdEvidence(h, 'system-id')),
    elements: names.map(hostId),
    fix: hosts.slice(1).flatMap((h) => newId(topology, cluster, h)),
  });
}

function absent(topology: Topology, cluster: ClusterContext | undefined, host: HostState): Finding {
  return finding(ID, 'warning', {
    title: `${host.name} runs OVN without an OVS system-id`,
    explanation:
      `${host.name} is configured for OVN (ovn-remote/ovn-encap-ip are set), but the Open_vSwitch table has no ` +
      `external_ids:system-id. ovn-controller needs it to name its chassis; without it the node's ports are never bound ` +
      `and its pods have no network.`,
    evidence: [...externalIdEvidence(host, 'ovn-encap-ip'), ...externalIdEvidence(host, 'ovn-remote')],
    elements: [hostId(host.name)],
    fix: newId(topology, cluster, host),
  });
}

export const ovnDuplicateSystemId: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Two nodes share one OVS system-id (OVN chassis name)',
  run(topology, cluster) {
    const out: Finding[] = [];
    const byId = new Map<string, HostState[]>();
    for (const host of topology.hosts) {
      if (!host.ovs || !usesOvn(host)) continue;
      const id = host.ovs.externalIds['system-id'];
      if (id === undefined || id === '') out.push(absent(topology, cluster, host));
      else byId.set(id, [...(byId.get(id) ?? []), host]);
    }
    for (const [id, hosts] of byId) if (hosts.length > 1) out.push(duplicate(topology, cluster, id, hosts));
    return out;
  },
};
