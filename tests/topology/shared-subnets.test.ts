import { describe, expect, it } from 'vitest';
import type { Address } from '@/lib/parse/types';
import { ipInCidr } from '@/lib/topology/ip';
import { hostPairsSharingASubnet } from '@/lib/topology/shared-subnets';
import { addr } from '@/tests/fixtures/topology/builders';

/** The definition the index replaces: some pair of addresses lies each in the other's prefix. */
function bruteForce(hosts: Address[][]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < hosts.length; i++)
    for (let j = i + 1; j < hosts.length; j++) {
      const shared = hosts[i].some((x) => hosts[j].some((y) => ipInCidr(x.local, `${y.local}/${y.prefixlen}`) && ipInCidr(y.local, `${x.local}/${x.prefixlen}`)));
      if (shared) out.push([i, j]);
    }
  return out;
}

describe('hostPairsSharingASubnet', () => {
  it('pairs hosts whose uplinks share a subnet, also across prefix lengths, and no others', () => {
    const hosts = [
      [addr('192.168.10.163/24')],
      [addr('192.168.10.201/24')],
      [addr('192.168.11.5/24')],
      [addr('192.168.10.7/23'), addr('10.200.7.7/8')],
      [addr('10.200.1.1/16')],
      [addr('10.0.0.1/16')],
    ];
    expect(hostPairsSharingASubnet(hosts)).toEqual([
      [0, 1],
      [0, 3],
      [1, 3],
      [3, 4],
    ]);
  });

  it('ignores addresses that do not parse and keeps IPv4 and IPv6 apart', () => {
    const hosts = [[addr('fd00::1/64'), { family: 'inet' as const, local: 'bogus', prefixlen: 24 }], [addr('fd00::2/64')], [addr('0.0.0.1/8')]];
    expect(hostPairsSharingASubnet(hosts)).toEqual([[0, 1]]);
  });

  it('finds exactly the pairs a comparison of every host with every other finds', () => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const hosts = Array.from({ length: 60 }, () => Array.from({ length: 1 + next(3) }, () => addr(`10.${next(3)}.${next(4)}.${next(250)}/${[8, 16, 22, 24, 30][next(5)]}`)));
    expect(hostPairsSharingASubnet(hosts)).toEqual(bruteForce(hosts));
  });
});
