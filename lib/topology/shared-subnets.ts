/**
 * Which hosts have uplink addresses in a common subnet, without comparing every host with every other.
 * Addresses x/lx and y/ly share a subnet when each lies in the other's prefix, that is when they agree on their
 * first max(lx, ly) bits. Each address is filed under its first L bits for every prefix length L in use that is
 * at least its own; looking an address up the same way finds exactly the addresses it shares a subnet with.
 */
import type { Address } from '@/lib/parse/types';
import { parseIp, prefixLength } from './ip';

interface Filed {
  host: number;
  family: string;
  value: bigint;
  bits: number;
  len: number;
}

function readable(host: number, a: Address): Filed | undefined {
  const parsed = parseIp(a.local);
  const len = prefixLength(`${a.local}/${a.prefixlen}`);
  return parsed === null || len === null ? undefined : { host, family: parsed.family, value: parsed.value, bits: parsed.bits, len };
}

function key(f: Filed, len: number): string {
  return `${f.family}/${len}/${f.value >> BigInt(f.bits - len)}`;
}

/** Pairs [i, j], i < j, of entries of `hosts` (each a host's uplink addresses) that share a subnet, sorted. */
export function hostPairsSharingASubnet(hosts: readonly (readonly Address[])[]): [number, number][] {
  const filed = hosts.flatMap((addresses, host) => addresses.flatMap((a) => readable(host, a) ?? []));
  const lengths = new Map<string, number[]>();
  for (const f of filed) lengths.set(f.family, [...new Set([...(lengths.get(f.family) ?? []), f.len])]);
  const atLeastOwn = (f: Filed): number[] => (lengths.get(f.family) ?? []).filter((len) => len >= f.len);
  const buckets = new Map<string, Set<number>>();
  for (const f of filed) {
    for (const len of atLeastOwn(f)) buckets.set(key(f, len), (buckets.get(key(f, len)) ?? new Set()).add(f.host));
  }
  const pairs = new Map<string, [number, number]>();
  for (const f of filed) {
    for (const len of atLeastOwn(f)) {
      for (const other of buckets.get(key(f, len)) ?? []) if (other > f.host) pairs.set(`${f.host},${other}`, [f.host, other]);
    }
  }
  return [...pairs.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}
