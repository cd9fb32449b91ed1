import type { Evidence, Finding, Rule } from '../types';
import type { HostState, NamespaceState, OvsBridge, Route } from '@/lib/parse/types';
import { ovsBridgeId } from '@/lib/topology/ids';
import { deviceId, globalAddresses, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { deviceEvidence, entityEvidence } from '../evidence';
import { externalIdEvidence } from '../open-vswitch';
import { ovsBridgeInterfaces, usesOvn } from '../ovs';
import { defaultRoutes } from '../routes';
import { note, part, sh, type ShellLine } from '../fix';
import { finding } from '../finding';

const ID = 'ovnk-br-ex-misconfigured';

/** ovn-kubernetes maps its default physical network "physnet" to the gateway bridge (br-ex on OpenShift, breth0 upstream). */
function gatewayBridge(host: HostState): OvsBridge | undefined {
  const mappings = (host.ovs?.externalIds['ovn-bridge-mappings'] ?? '').split(',').map((m) => m.trim().split(':'));
  const name = mappings.find(([net]) => net === 'physnet')?.[1] ?? 'br-ex';
  return host.ovs?.bridges.find((b) => b.name === name);
}

/** The bridge's physical ports: system interfaces that exist as kernel devices. */
function uplinks(host: HostState, root: NamespaceState, bridge: OvsBridge): Device[] {
  return ovsBridgeInterfaces(host, bridge)
    .filter((i) => (i.type === '' || i.type === 'system') && i.name !== bridge.name)
    .flatMap((i) => {
      const iface = root.interfaces.find((k) => k.name === i.name);
      return iface ? [{ host, ns: root, iface }] : [];
    });
}

interface Problem {
  uplink: Device;
  addresses: string[];
  defaultRoute?: Route;
}

function problems(host: HostState, root: NamespaceState, bridge: OvsBridge): Problem[] {
  return uplinks(host, root, bridge).flatMap((uplink) => {
    const addresses = globalAddresses(uplink.iface, 'any');
    const defaultRoute = defaultRoutes(root).find((r) => r.dev === uplink.iface.name);
    return addresses.length > 0 || defaultRoute ? [{ uplink, addresses, defaultRoute }] : [];
  });
}

function fix(bridgeName: string, p: Problem): ShellLine[] {
  const name = p.uplink.iface.name;
  const moves = p.uplink.iface.addresses
    .filter((a) => p.addresses.includes(a.local))
    .flatMap((a) => [sh`ip addr del ${a.local}/${a.prefixlen} dev ${name}`, sh`ip addr add ${a.local}/${a.prefixlen} dev ${bridgeName}`]);
  const gw = p.defaultRoute?.gateway;
  return [
    note`from the node console: the node IP moves, so SSH sessions over it drop`,
    ...moves,
    ...(p.defaultRoute ? [sh`ip route replace default${gw ? part` via ${gw}` : null} dev ${bridgeName}`] : []),
    note`or re-run the bridge setup that failed (OpenShift: systemctl restart ovs-configuration), which moves the address to ${bridgeName}`,
  ];
}

function findingFor(host: HostState, root: NamespaceState, bridge: OvsBridge, p: Problem): Finding {
  const name = p.uplink.iface.name;
  const bridgeDev = root.interfaces.find((i) => i.name === bridge.name);
  const what = [...(p.addresses.length > 0 ? [`${name} still holds ${p.addresses.join(', ')}`] : []), ...(p.defaultRoute ? [`the default route uses ${name}`] : [])].join(' and ');
  const evidence: Evidence[] = [
    deviceEvidence(p.uplink),
    ...(bridgeDev ? [deviceEvidence({ host, ns: root, iface: bridgeDev })] : []),
    ...(p.defaultRoute ? entityEvidence(host, root, p.defaultRoute) : []),
    ...externalIdEvidence(host, 'ovn-bridge-mappings'),
  ];
  return finding(ID, 'critical', {
    title: `${name} is a port of ${bridge.name} on ${host.name}, but ${what}`,
    explanation:
      `${name} is the physical port of the OVS gateway bridge ${bridge.name}: everything it receives goes into OVS, not to ` +
      `the kernel's IP stack. The node's address and default route belong on ${bridge.name}; here ${what}. Replies to the ` +
      `node IP and everything the node sends out of ${name} bypass OVS and the gateway flows, so the node loses contact ` +
      `(API server, kubelet) and NodePort/egress traffic of pods breaks. This is the state a reboot leaves when the ` +
      `bridge setup (configure-ovs, NetworkManager profiles) did not run again.`,
    evidence,
    elements: [deviceId(p.uplink), ...(bridgeDev ? [deviceId({ host, ns: root, iface: bridgeDev })] : []), ovsBridgeId(host.name, bridge.name)],
    fix: fix(bridge.name, p),
  });
}

export const ovnkBrExMisconfigured: Rule = {
  id: ID,
  severity: 'critical',
  title: 'The physical port of br-ex still holds the node IP or the default route',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const root = rootNamespace(host);
      const bridge = gatewayBridge(host);
      if (!root || !bridge || !usesOvn(host)) continue;
      for (const p of problems(host, root, bridge)) out.push(findingFor(host, root, bridge, p));
    }
    return out;
  },
};
