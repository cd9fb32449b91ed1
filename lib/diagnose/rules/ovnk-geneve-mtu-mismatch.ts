import type { Finding, Rule } from '../types';
import type { HostState, NamespaceState } from '@/lib/parse/types';
import { deviceId, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { deviceEvidence } from '../evidence';
import { isIpv4 } from '../ip';
import { encapIps, externalIdEvidence } from '../open-vswitch';
import { integrationBridge, ovsBridgeOf, ovsInterface } from '../ovs';
import { podVethHostEnds } from '../veth';
import { note, sh } from '../fix';
import { finding } from '../finding';

const ID = 'ovnk-geneve-mtu-mismatch';

/**
 * Encapsulation overhead per encap type and underlay family: Geneve as OVN uses it adds 58 bytes over IPv4
 * (14 Ethernet + 20 IP + 8 UDP + 8 Geneve + 8 OVN option), 78 over IPv6 (ovn-kubernetes GeneveHeaderLengthIPv4/6);
 * VXLAN adds 50 / 70.
 */
function overhead(encapType: string, ip: string): number | undefined {
  const v4 = isIpv4(ip);
  if (encapType === 'geneve') return v4 ? 58 : 78;
  if (encapType === 'vxlan') return v4 ? 50 : 70;
  return undefined;
}

/** The devices pods send from: pod ends of veths on the integration bridge, and the OVN management port. */
function podSideDevices(host: HostState, root: NamespaceState): Device[] {
  const integration = integrationBridge(host);
  if (!integration) return [];
  const pods = podVethHostEnds(host)
    .filter(({ hostEnd }) => ovsBridgeOf(host, hostEnd.iface.name)?.name === integration.name)
    .map(({ podEnd }) => podEnd);
  const isMgmtPort = (name: string): boolean => {
    const ovsIf = ovsInterface(host, name);
    return ovsIf?.type === 'internal' && ovsIf.externalIds['iface-id']?.startsWith('k8s-') === true;
  };
  const mgmt = root.interfaces.filter((i) => isMgmtPort(i.name)).map((iface) => ({ host, ns: root, iface }));
  return [...pods, ...mgmt].filter((d) => d.iface.mtu !== undefined);
}

function check(host: HostState): Finding | undefined {
  const root = rootNamespace(host);
  const ip = encapIps(host)[0];
  const encapType = (host.ovs?.externalIds['ovn-encap-type'] ?? 'geneve').split(',')[0].trim();
  const extra = ip === undefined ? undefined : overhead(encapType, ip);
  const encapIf = root?.interfaces.find((i) => i.addresses.some((a) => a.local === ip));
  if (!root || ip === undefined || extra === undefined || encapIf?.mtu === undefined) return undefined;
  const widest = podSideDevices(host, root).sort((a, b) => (b.iface.mtu ?? 0) - (a.iface.mtu ?? 0))[0];
  const podMtu = widest?.iface.mtu;
  if (!widest || podMtu === undefined || podMtu + extra <= encapIf.mtu) return undefined;
  const encap: Device = { host, ns: root, iface: encapIf };
  const fitting = encapIf.mtu - extra;
  return finding(ID, 'warning', {
    title: `${encapIf.name} MTU ${encapIf.mtu} on ${host.name} is below pod MTU ${podMtu} + ${extra} bytes of ${encapType}`,
    explanation:
      `${encapIf.name} holds ovn-encap-ip ${ip}, so every ${encapType} packet between ${host.name} and other nodes leaves ` +
      `through it. Pods send up to ${podMtu} bytes (${widest.iface.name}${widest.ns.netns ? ` in ${widest.ns.netns}` : ''}), ` +
      `which grow by ${extra} bytes of encapsulation to ${podMtu + extra}, more than the ${encapIf.mtu} that ${encapIf.name} ` +
      `carries. OVS drops the oversized packets without an ICMP error the pod could act on: pings and small requests work, ` +
      `large transfers between nodes hang. ovnkube-node refuses to start with "MTU ... is too small for specified overlay MTU" ` +
      `when it sees this at startup; a later change of the underlay MTU goes unnoticed.`,
    evidence: [deviceEvidence(encap), ...externalIdEvidence(host, 'ovn-encap-ip'), deviceEvidence(widest)],
    elements: [deviceId(encap), deviceId(widest)],
    fix: [
      note`lower the cluster network MTU to ${fitting} (ovn-kubernetes mtu / OpenShift network operator), or`,
      sh`ip link set dev ${encapIf.name} mtu ${podMtu + extra}`,
      note`only where the physical network carries ${podMtu + extra}-byte frames`,
    ],
  });
}

export const ovnkGeneveMtuMismatch: Rule = {
  id: ID,
  severity: 'warning',
  title: 'The encap interface MTU is too small for the pod MTU plus Geneve overhead',
  run(topology) {
    return topology.hosts.flatMap((host) => check(host) ?? []);
  },
};
