/** OVS membership taken from OVS's own tables, since netdev-datapath ports have no kernel master. */
import type { HostState, OvsBridge, OvsInterface } from '@/lib/parse/types';

export function ovsInterface(host: HostState, name: string): OvsInterface | undefined {
  return host.ovs?.interfaces.find((i) => i.name === name);
}

function interfaceNamesOf(host: HostState, bridge: OvsBridge): string[] {
  const ovs = host.ovs;
  if (!ovs) return [];
  return bridge.ports.flatMap((ref) => {
    const port = ovs.ports.find((p) => p.uuid === ref || p.name === ref);
    if (!port) return [ref];
    return port.interfaces.map((i) => ovs.interfaces.find((x) => x.uuid === i)?.name ?? i);
  });
}

export function ovsBridgeOf(host: HostState, ifname: string): OvsBridge | undefined {
  return host.ovs?.bridges.find((b) => interfaceNamesOf(host, b).includes(ifname));
}

export function ovsBridgeInterfaces(host: HostState, bridge: OvsBridge): OvsInterface[] {
  const names = interfaceNamesOf(host, bridge);
  return (host.ovs?.interfaces ?? []).filter((i) => names.includes(i.name));
}

/** OVN's integration bridge: named by external_ids:ovn-bridge, else the bridge that holds bound (iface-id) ports. */
export function integrationBridge(host: HostState): OvsBridge | undefined {
  const named = host.ovs?.externalIds['ovn-bridge'];
  const bridges = host.ovs?.bridges ?? [];
  if (named !== undefined) return bridges.find((b) => b.name === named);
  return bridges.find((b) => ovsBridgeInterfaces(host, b).some((i) => i.externalIds['iface-id'] !== undefined));
}

export function usesOvn(host: HostState): boolean {
  const ids = host.ovs?.externalIds ?? {};
  return ids['ovn-remote'] !== undefined || ids['ovn-encap-ip'] !== undefined;
}
