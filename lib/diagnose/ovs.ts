/** OVS membership taken from OVS's own tables, since netdev-datapath ports have no kernel master. */
import type { HostState, OvsBridge, OvsInterface, OvsPort, OvsState } from '@/lib/parse/types';
import { memoize } from '@/lib/topology/memoize';

interface OvsIndex {
  interfaceByName: Map<string, OvsInterface>;
  interfaceByUuid: Map<string, OvsInterface>;
  /** Position of the first port whose uuid, or whose name, is the key. */
  portByUuid: Map<string, number>;
  portByName: Map<string, number>;
  /** First bridge, in table order, that lists an interface name. */
  bridgeOf: Map<string, OvsBridge>;
  namesOf: Map<OvsBridge, string[]>;
}

function firstBy<T>(rows: readonly T[], key: (row: T) => string | undefined): Map<string, T> {
  const out = new Map<string, T>();
  for (const row of rows) {
    const k = key(row);
    if (k !== undefined && !out.has(k)) out.set(k, row);
  }
  return out;
}

function firstPositionBy<T>(rows: readonly T[], key: (row: T) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  rows.forEach((row, i) => {
    const k = key(row);
    if (k !== undefined && !out.has(k)) out.set(k, i);
  });
  return out;
}

/** A bridge's port reference: the first port whose uuid or name it is. */
function portOf(ovs: OvsState, index: OvsIndex, ref: string): OvsPort | undefined {
  const byUuid = index.portByUuid.get(ref);
  const byName = index.portByName.get(ref);
  const at = byUuid === undefined ? byName : byName === undefined ? byUuid : Math.min(byUuid, byName);
  return at === undefined ? undefined : ovs.ports[at];
}

/** Interface names of a bridge; a port or interface reference that resolves to no row counts as a name itself. */
function interfaceNamesOf(ovs: OvsState, index: OvsIndex, bridge: OvsBridge): string[] {
  return bridge.ports.flatMap((ref) => {
    const port = portOf(ovs, index, ref);
    if (!port) return [ref];
    return port.interfaces.map((i) => index.interfaceByUuid.get(i)?.name ?? i);
  });
}

const ovsIndex = memoize((ovs: OvsState): OvsIndex => {
  const index: OvsIndex = {
    interfaceByName: firstBy(ovs.interfaces, (i) => i.name),
    interfaceByUuid: firstBy(ovs.interfaces, (i) => i.uuid),
    portByUuid: firstPositionBy(ovs.ports, (p) => p.uuid),
    portByName: firstPositionBy(ovs.ports, (p) => p.name),
    bridgeOf: new Map(),
    namesOf: new Map(),
  };
  for (const bridge of ovs.bridges) {
    const names = interfaceNamesOf(ovs, index, bridge);
    if (!index.namesOf.has(bridge)) index.namesOf.set(bridge, names);
    for (const name of names) if (!index.bridgeOf.has(name)) index.bridgeOf.set(name, bridge);
  }
  return index;
});

function namesOf(ovs: OvsState, bridge: OvsBridge): string[] {
  const index = ovsIndex(ovs);
  return index.namesOf.get(bridge) ?? interfaceNamesOf(ovs, index, bridge);
}

export function ovsInterface(host: HostState, name: string): OvsInterface | undefined {
  return host.ovs === undefined ? undefined : ovsIndex(host.ovs).interfaceByName.get(name);
}

export function ovsBridgeOf(host: HostState, ifname: string): OvsBridge | undefined {
  return host.ovs === undefined ? undefined : ovsIndex(host.ovs).bridgeOf.get(ifname);
}

export function ovsBridgeInterfaces(host: HostState, bridge: OvsBridge): OvsInterface[] {
  const ovs = host.ovs;
  if (ovs === undefined) return [];
  const names = new Set(namesOf(ovs, bridge));
  return ovs.interfaces.filter((i) => names.has(i.name));
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
