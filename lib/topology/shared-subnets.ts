/**
 * Which hosts share an underlay subnet, without comparing every host with every other (a flat /16 of thousands of
 * nodes would make millions of pairs). Addresses x/lx and y/ly share a subnet when each lies in the other's prefix,
 * that is when they agree on their first max(lx, ly) bits; the subnet is named by the shorter prefix.
 *
 * Each address is filed under its first L bits for every prefix length L in use that is at least its own. A pair
 * agreeing on max(lx, ly) bits meets in the bucket of that length, where the longer of the two is "at home" (its
 * own length is the bucket's) and the other is at home too or "wider". So every sharing pair is found once, in
 * one bucket: two at-home addresses share the bucket's subnet, which is all its at-home hosts at once; a wider
 * address shares its own subnet with each at-home one (few: a wider prefix on the same segment is a misconfigured
 * or a supernet address).
 */
import type { Address } from '@/lib/parse/types';
import { networkOf, parseIp, prefixLength } from './ip';

interface Filed {
  host: number;
  /** Position among the host's addresses: a host in a subnet is shown with its first address there. */
  order: number;
  address: Address;
  family: string;
  value: bigint;
  bits: number;
  len: number;
}

function readable(host: number, order: number, address: Address): Filed | undefined {
  const parsed = parseIp(address.local);
  const len = prefixLength(`${address.local}/${address.prefixlen}`);
  return parsed === null || len === null ? undefined : { host, order, address, family: parsed.family, value: parsed.value, bits: parsed.bits, len };
}

/** Subnet → member host (index into the list given) → that host's address in the subnet. */
export type SubnetMembers = Map<string, Map<number, Address>>;

function join(members: SubnetMembers, subnet: string, f: Filed, first: Map<string, number>): void {
  let hosts = members.get(subnet);
  if (hosts === undefined) {
    hosts = new Map();
    members.set(subnet, hosts);
  }
  const key = `${subnet} ${f.host}`;
  const seen = first.get(key);
  if (seen === undefined || f.order < seen) {
    first.set(key, f.order);
    hosts.set(f.host, f.address);
  }
}

/** For a list of hosts (each its uplink addresses), the subnets two or more of them share, by subnet name. */
export function sharedSubnets(hosts: readonly (readonly Address[])[]): SubnetMembers {
  const filed = hosts.flatMap((addresses, host) => addresses.flatMap((a, order) => readable(host, order, a) ?? []));
  const lengths = new Map<string, Set<number>>();
  for (const f of filed) lengths.set(f.family, (lengths.get(f.family) ?? new Set()).add(f.len));
  const buckets = new Map<string, { len: number; home: Filed[]; wider: Filed[] }>();
  for (const f of filed) {
    for (const len of lengths.get(f.family) ?? []) {
      if (len < f.len) continue;
      const key = `${f.family}/${len}/${f.value >> BigInt(f.bits - len)}`;
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { len, home: [], wider: [] };
        buckets.set(key, bucket);
      }
      (f.len === len ? bucket.home : bucket.wider).push(f);
    }
  }
  const members: SubnetMembers = new Map();
  const first = new Map<string, number>();
  for (const { len, home, wider } of buckets.values()) {
    if (home.length === 0) continue;
    if (home.some((f) => f.host !== home[0].host)) {
      const subnet = networkOf(home[0].address.local, len);
      for (const f of home) join(members, subnet, f, first);
    }
    for (const w of wider) {
      const subnet = networkOf(w.address.local, w.len);
      for (const f of home) {
        if (f.host === w.host) continue;
        join(members, subnet, w, first);
        join(members, subnet, f, first);
      }
    }
  }
  return new Map([...members].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
