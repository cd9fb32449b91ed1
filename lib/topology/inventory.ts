/** Lookups over parsed host state that several topology stages share. */
import type { Address, HostState, Interface, NamespaceState, VxlanParams } from '@/lib/parse/types';
import { isSpecialAddress } from './ip';

export function findNamespace(host: HostState, netns: string | null): NamespaceState | undefined {
  return host.namespaces.find((ns) => ns.netns === netns);
}

export function rootNamespace(host: HostState): NamespaceState | undefined {
  return findNamespace(host, null);
}

export function findIfaceByName(ns: NamespaceState, name: string): Interface | undefined {
  return ns.interfaces.find((i) => i.name === name);
}

/**
 * The namespace an nsid names, as seen from `ns` (`ip netns list-id` run there). From a named namespace, an nsid
 * listed without a name is the host's root namespace (which has no name of its own). From the root namespace it is
 * a namespace nobody named on this host (a container runtime's, another machine's end of a veth uplink): never the
 * root itself, and never captured. `known: false` when the nsid is not listed, or names no captured namespace.
 */
export function resolveNsid(ns: NamespaceState, nsid: number): { known: true; netns: string | null } | { known: false; unnamed: boolean } {
  const entry = ns.netnsIds.find((e) => e.nsid === nsid);
  if (entry === undefined) return { known: false, unnamed: false };
  if (entry.name === undefined && ns.netns === null) return { known: false, unnamed: true };
  return { known: true, netns: entry.name ?? null };
}

/** What other hosts and pods can reach: global scope, and no loopback, link-local or unspecified address. */
export function isGlobalAddress(a: Address): boolean {
  return (a.scope === undefined || a.scope === 'global') && !isSpecialAddress(a.local);
}

export function globalAddresses(iface: Interface): Address[] {
  return iface.addresses.filter(isGlobalAddress);
}

/** Every address in every namespace of the host, once each (query/devices.ts hostAddresses: the root's by default). */
export function addressesOnHost(host: HostState): string[] {
  const out = new Set<string>();
  for (const ns of host.namespaces) for (const i of ns.interfaces) for (const a of i.addresses) out.add(a.local);
  return [...out].sort();
}

export function tunnelParams(iface: Interface): VxlanParams | undefined {
  return iface.vxlan ?? iface.geneve;
}

export function isTunnel(iface: Interface): boolean {
  return tunnelParams(iface) !== undefined || iface.kind === 'vxlan' || iface.kind === 'geneve';
}

/**
 * The UDP port a tunnel device states, or Geneve's fixed one; a VXLAN device that states none stays unknown here,
 * where query/devices.ts tunnelPort assumes Linux's 8472 for the rules.
 */
export function statedTunnelPort(iface: Interface): number | undefined {
  const params = tunnelParams(iface);
  if (params?.port !== undefined) return params.port;
  if (iface.kind === 'geneve') return 6081;
  return undefined;
}

/** The namespace a moved tunnel device was created in: its sockets and routes live there (link_netnsid). */
export function creatingNamespace(host: HostState, ns: NamespaceState, iface: Interface): NamespaceState {
  if (iface.linkNetnsId === undefined) return ns;
  const resolved = resolveNsid(ns, iface.linkNetnsId);
  const target = resolved.known ? findNamespace(host, resolved.netns) : undefined;
  return target ?? rootNamespace(host) ?? ns;
}
