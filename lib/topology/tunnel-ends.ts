/** Tunnel devices (VXLAN/Geneve) of all hosts, as the pairing stages see them. */
import type { HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { ifaceId } from './ids';
import { globalAddresses, addressesOnHost, tunnelParams, statedTunnelPort } from './inventory';
import { isMulticast } from './ip';
import { memoize } from './memoize';

export interface TunnelEnd {
  id: string;
  host: string;
  netns: string | null;
  iface: Interface;
  kind: 'vxlan' | 'geneve';
  vni?: number;
  port?: number;
  /** Unicast far end (remote, or a unicast `group` as CAA sets it). */
  remote?: string;
  external: boolean;
  /** Global addresses in the device's namespace: a peer pod's IP sits here on both sides. */
  namespaceAddresses: string[];
}

function unicastRemote(iface: Interface): string | undefined {
  const params = tunnelParams(iface);
  if (params?.remote !== undefined) return params.remote;
  if (params?.group !== undefined && !isMulticast(params.group)) return params.group;
  return undefined;
}

function toEnd(host: HostState, ns: NamespaceState, iface: Interface): TunnelEnd | undefined {
  const params = tunnelParams(iface);
  if (params === undefined) return undefined;
  return {
    id: ifaceId(host.name, ns.netns, iface.name),
    host: host.name,
    netns: ns.netns,
    iface,
    kind: iface.geneve !== undefined || iface.kind === 'geneve' ? 'geneve' : 'vxlan',
    vni: params.vni,
    port: statedTunnelPort(iface),
    remote: unicastRemote(iface),
    external: params.external === true,
    namespaceAddresses: ns.interfaces.flatMap((i) => globalAddresses(i).map((a) => a.local)),
  };
}

/** Every tunnel end of the hosts, sorted by id; the tunnel stages share one list per host list. */
export const tunnelEnds = memoize((hosts: readonly HostState[]): readonly TunnelEnd[] => {
  const ends: TunnelEnd[] = [];
  for (const host of hosts) {
    for (const ns of host.namespaces) {
      for (const iface of ns.interfaces) {
        const end = toEnd(host, ns, iface);
        if (end !== undefined) ends.push(end);
      }
    }
  }
  return ends.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
});

/** Addresses of every host, any namespace: a device moved out of its creating namespace still sends from there. */
export const addressesByHost = memoize((hosts: readonly HostState[]): ReadonlyMap<string, ReadonlySet<string>> => new Map(hosts.map((h) => [h.name, new Set(addressesOnHost(h))])));

export function tunnelLabel(kind: TunnelEnd['kind'], vni: number | undefined, port: number | undefined): string {
  const prefix = kind === 'geneve' ? 'Geneve ' : '';
  return `${prefix}VNI ${vni ?? '?'} · udp/${port ?? '?'}`;
}
