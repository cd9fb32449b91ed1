import type { Finding, Rule } from '../types';
import type { HostState, OvnLogicalSwitchPort } from '@/lib/parse/types';
import { deviceId, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { deviceEvidence, entityEvidence } from '../evidence';
import { inNetns, note, sh } from '../fix';
import { sameMac } from '../ip';
import { vethPeer } from '../veth';
import { finding } from '../finding';

const ID = 'ovn-lsp-mac-mismatch';

/** The device whose MAC OVN must know: the pod end of a veth port, or the internal port itself. */
function endpointOf(host: HostState, portName: string): Device | undefined {
  const root = rootNamespace(host);
  const iface = root?.interfaces.find((i) => i.name === portName);
  if (!root || !iface) return undefined;
  const d = { host, ns: root, iface };
  if (iface.kind !== 'veth') return d;
  const peer = vethPeer(d);
  return peer.status === 'found' ? peer.peer : undefined;
}

/** The first logical port of each name, over every host's NB listing. */
function logicalPortsByName(hosts: readonly HostState[]): Map<string, { host: HostState; lsp: OvnLogicalSwitchPort }> {
  const out = new Map<string, { host: HostState; lsp: OvnLogicalSwitchPort }>();
  for (const host of hosts) for (const lsp of host.ovnLogicalPorts ?? []) if (!out.has(lsp.name)) out.set(lsp.name, { host, lsp });
  return out;
}

export const ovnLspMacMismatch: Rule = {
  id: ID,
  severity: 'warning',
  title: "OVN logical port MAC differs from the device's MAC",
  run(topology) {
    const out: Finding[] = [];
    const lsps = logicalPortsByName(topology.hosts);
    for (const host of topology.hosts) {
      for (const ovsIf of host.ovs?.interfaces ?? []) {
        const name = ovsIf.externalIds['iface-id'];
        const entry = name === undefined ? undefined : lsps.get(name);
        const lspMac = entry?.lsp.addresses.map((a) => a.split(/\s+/)[0] ?? '').find((m) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(m));
        const device = endpointOf(host, ovsIf.name);
        if (!entry || !lspMac || !device?.iface.mac || sameMac(lspMac, device.iface.mac)) continue;
        out.push(
          finding(ID, 'warning', {
            title: `Logical port ${entry.lsp.name} says ${lspMac}, ${device.iface.name} on ${host.name} has ${device.iface.mac}`,
            explanation:
              `OVN answers ARP for this port with ${lspMac} and, with port security, drops frames from any other source MAC. ` +
              `The device behind the port (${device.iface.name}${device.ns.netns ? ` in ${device.ns.netns}` : ''}) uses ${device.iface.mac}, ` +
              `so traffic to it is addressed to a MAC it does not own and its own frames are discarded.`,
            evidence: [...entityEvidence(entry.host, null, entry.lsp), ...entityEvidence(host, null, ovsIf), deviceEvidence(device)],
            elements: [deviceId(device)],
            fix: [inNetns(device.ns.netns, sh`ip link set dev ${device.iface.name} address ${lspMac}`), note`or delete the pod so the CNI and OVN agree again`],
          }),
        );
      }
    }
    return out;
  },
};
