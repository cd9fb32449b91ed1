/**
 * Which tunnel ends could pair with which. Pairing asks, for every end, about every other end; on a cluster with
 * tens of thousands of tunnels that is quadratic. An end can only pair with an end on a host owning its remote,
 * an end whose remote its own host owns, or an end sharing a namespace address with it (tunnels.ts), so these
 * lookups return exactly those, as positions in the list given, ascending: the order a full scan would use.
 */
import { memoize } from './memoize';
import type { TunnelEnd } from './tunnel-ends';

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

export interface TunnelCandidates {
  /** Host names owning an address, in the order of the address map. */
  owners(ip: string | undefined): readonly string[];
  /** Ends on one host. */
  onHost(host: string): readonly number[];
  /** Ends on a host that owns `end`'s remote: the only possible exact partners. */
  onRemoteHost(end: TunnelEnd): number[];
  /** Ends that a near match (tunnels.ts) could accept: on the remote's host, pointing at `end`'s host, or sharing an address. */
  related(end: TunnelEnd): number[];
}

/** Address → the host names owning it, in the order of the address map. */
const ownersByAddress = memoize((addresses: ReadonlyMap<string, ReadonlySet<string>>): Map<string, string[]> => {
  const owners = new Map<string, string[]>();
  for (const [host, set] of addresses) for (const ip of set) push(owners, ip, host);
  return owners;
});

/** `addresses`: host name → every address of that host, as tunnel pairing uses it (tunnel-ends.ts addressesByHost). */
export function tunnelCandidates(ends: readonly TunnelEnd[], addresses: ReadonlyMap<string, ReadonlySet<string>>): TunnelCandidates {
  const owners = ownersByAddress(addresses);
  const ownersOf = (ip: string | undefined): readonly string[] => (ip === undefined ? [] : (owners.get(ip) ?? []));
  const byHost = new Map<string, number[]>();
  const byRemoteOwner = new Map<string, number[]>();
  const byAddress = new Map<string, number[]>();
  ends.forEach((end, i) => {
    push(byHost, end.host, i);
    for (const host of ownersOf(end.remote)) push(byRemoteOwner, host, i);
    for (const ip of new Set(end.namespaceAddresses)) push(byAddress, ip, i);
  });
  const union = (lists: Iterable<readonly number[] | undefined>): number[] => {
    const out = new Set<number>();
    for (const list of lists) for (const i of list ?? []) out.add(i);
    return [...out].sort((a, b) => a - b);
  };
  const onRemoteHost = (end: TunnelEnd): number[] => union(ownersOf(end.remote).map((h) => byHost.get(h)));
  return {
    owners: ownersOf,
    onHost: (host) => byHost.get(host) ?? [],
    onRemoteHost,
    related: (end) => union([onRemoteHost(end), byRemoteOwner.get(end.host), ...end.namespaceAddresses.map((ip) => byAddress.get(ip))]),
  };
}
