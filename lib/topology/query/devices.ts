/** A flat view of every device in a topology, with the host and namespace it lives in. */
import type { HostState, Interface, NamespaceState } from '@/lib/parse/types';
import type { Topology } from '../types';
import { ifaceId } from '../ids';
import { isGlobalAddress, tunnelParams } from '../inventory';
import { memoize } from '../memoize';

export interface Device {
  host: HostState;
  ns: NamespaceState;
  iface: Interface;
}

/** Every device in topology order (hosts, namespaces, interfaces); the same objects on every call. */
export const allDevices = memoize((topology: Topology): readonly Device[] => {
  const out: Device[] = [];
  for (const host of topology.hosts) {
    for (const ns of host.namespaces) {
      for (const iface of ns.interfaces) out.push({ host, ns, iface });
    }
  }
  return out;
});

export function deviceId(device: Device): string {
  return ifaceId(device.host.name, device.ns.netns, device.iface.name);
}

export function findDevice(host: HostState, ns: NamespaceState, name: string): Device | undefined {
  const iface = ns.interfaces.find((i) => i.name === name);
  return iface ? { host, ns, iface } : undefined;
}

/** Addresses of one family a device answers for to other hosts (inventory.ts isGlobalAddress). */
export function globalAddresses(iface: Interface, family: 'inet' | 'inet6' | 'any' = 'inet'): string[] {
  const out: string[] = [];
  for (const a of iface.addresses) if ((family === 'any' || a.family === family) && isGlobalAddress(a)) out.push(a.local);
  return out;
}

export function hostAddresses(host: HostState, rootOnly = true): string[] {
  return host.namespaces.filter((ns) => !rootOnly || ns.netns === null).flatMap((ns) => ns.interfaces.flatMap((i) => i.addresses.map((a) => a.local)));
}

export type TunnelKind = 'vxlan' | 'geneve';

export function tunnelKind(iface: Interface): TunnelKind | undefined {
  if (iface.kind === 'vxlan' || iface.vxlan) return 'vxlan';
  if (iface.kind === 'geneve' || iface.geneve) return 'geneve';
  return undefined;
}

/** A point-to-point or FDB-driven tunnel device, not a collect-metadata (external) one. */
export function isPlainTunnel(iface: Interface): boolean {
  return tunnelKind(iface) !== undefined && tunnelParams(iface)?.external !== true;
}

/** The kernel default UDP port for VXLAN is 8472 (pre-IANA); geneve uses 6081. */
export function tunnelPort(iface: Interface): number | undefined {
  const params = tunnelParams(iface);
  if (params?.port !== undefined) return params.port;
  const kind = tunnelKind(iface);
  return kind === 'vxlan' ? 8472 : kind === 'geneve' ? 6081 : undefined;
}

export function isOperDown(iface: Interface): boolean {
  return !iface.up || iface.flags.includes('NO-CARRIER') || iface.operstate === 'DOWN' || iface.operstate === 'LOWERLAYERDOWN';
}
