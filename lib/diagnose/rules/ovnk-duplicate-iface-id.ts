import type { Finding, Rule } from '../types';
import type { HostState, OvsInterface } from '@/lib/parse/types';
import { ifaceId, ovsBridgeId } from '@/lib/topology/ids';
import { entityEvidence } from '../evidence';
import { ovsBridgeOf } from '../ovs';
import { note, sh, type ShellLine } from '../fix';
import { finding } from '../finding';

const ID = 'ovnk-duplicate-iface-id';

function kernelDeviceExists(host: HostState, name: string): boolean {
  return host.namespaces.some((ns) => ns.interfaces.some((i) => i.name === name));
}

/**
 * Evidently the port of an earlier sandbox: no kernel device, or OVS could not add it. Which of two live ports is
 * current cannot be told from ovn-installed: OVN may have bound the old one, which is the fault itself.
 */
function isStale(host: HostState, ovsIf: OvsInterface): boolean {
  return !kernelDeviceExists(host, ovsIf.name) || ovsIf.ofport === -1 || Boolean(ovsIf.error);
}

function elementOf(host: HostState, ovsIf: OvsInterface): string {
  const bridge = ovsBridgeOf(host, ovsIf.name);
  if (kernelDeviceExists(host, ovsIf.name) || !bridge) return ifaceId(host.name, null, ovsIf.name);
  return ovsBridgeId(host.name, bridge.name);
}

function findingFor(host: HostState, id: string, group: OvsInterface[]): Finding {
  const stale = group.filter((i) => isStale(host, i));
  const names = group.map((i) => i.name).join(', ');
  const delPort = (i: OvsInterface): ShellLine => sh`ovs-vsctl --if-exists del-port ${ovsBridgeOf(host, i.name)?.name ?? 'br-int'} ${i.name}`;
  return finding(ID, 'warning', {
    title: `iface-id ${id} is set on ${group.length} OVS interfaces on ${host.name}: ${names}`,
    explanation:
      `OVS interfaces ${names} on ${host.name} all claim logical port ${id} through external_ids:iface-id. ovn-controller ` +
      `binds the logical port to one of them only, and it need not be the port of the pod's current sandbox: when it picks ` +
      `the stale one, the live pod has no flows and its traffic is dropped, or works only until the next recompute. ` +
      (stale.length > 0
        ? `${stale.map((i) => i.name).join(', ')} ${stale.length > 1 ? 'are' : 'is'} stale (no kernel device, or an OVS error).`
        : "None of them is evidently stale: compare external_ids:sandbox with the pod's current sandbox."),
    evidence: group.flatMap((i) => entityEvidence(host, null, i)),
    elements: [...new Set(group.map((i) => elementOf(host, i)))],
    fix:
      stale.length > 0 && stale.length < group.length
        ? stale.map(delPort)
        : [sh`ovs-vsctl --columns=name,ofport,external_ids find Interface external_ids:iface-id=${id}`, note`delete the port whose sandbox is not the pod's current one:`, ...group.map(delPort)],
  });
}

export const ovnkDuplicateIfaceId: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Two OVS interfaces claim the same OVN logical port (iface-id)',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const byId = new Map<string, OvsInterface[]>();
      for (const ovsIf of host.ovs?.interfaces ?? []) {
        const id = ovsIf.externalIds['iface-id'];
        if (id !== undefined && id !== '') byId.set(id, [...(byId.get(id) ?? []), ovsIf]);
      }
      for (const [id, group] of byId) if (group.length > 1) out.push(findingFor(host, id, group));
    }
    return out;
  },
};
