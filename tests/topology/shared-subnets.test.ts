import { describe, expect, it } from 'vitest';
import type { Address } from '@/lib/parse/types';
import { ipInCidr, networkOf } from '@/lib/topology/ip';
import { sharedSubnets, type SubnetMembers } from '@/lib/topology/shared-subnets';
import { addr } from '@/tests/fixtures/topology/builders';

/**
 * The definition the buckets replace: a pair of addresses of two hosts shares a subnet when each lies in the other's
 * prefix, named by the shorter prefix; a host is shown with its first address that shares the subnet.
 */
function bruteForce(hosts: Address[][]): SubnetMembers {
  const best = new Map<string, Map<number, number>>();
  const note = (subnet: string, host: number, order: number): void => {
    const members = best.get(subnet) ?? new Map<number, number>();
    members.set(host, Math.min(members.get(host) ?? Infinity, order));
    best.set(subnet, members);
  };
  for (let i = 0; i < hosts.length; i++)
    for (let j = i + 1; j < hosts.length; j++)
      hosts[i].forEach((x, xi) =>
        hosts[j].forEach((y, yi) => {
          if (!ipInCidr(x.local, `${y.local}/${y.prefixlen}`) || !ipInCidr(y.local, `${x.local}/${x.prefixlen}`)) return;
          const subnet = networkOf(x.local, Math.min(x.prefixlen, y.prefixlen));
          note(subnet, i, xi);
          note(subnet, j, yi);
        }),
      );
  const out: SubnetMembers = new Map();
  for (const subnet of [...best.keys()].sort()) {
    const members = best.get(subnet) ?? new Map<number, number>();
    out.set(subnet, new Map([...members].map(([host, order]) => [host, hosts[host][order]])));
  }
  return out;
}

/** Members as sorted [subnet, [[host, address]]] for comparison regardless of insertion order. */
function plain(members: SubnetMembers): [string, [number, string][]][] {
  return [...members].map(([subnet, hosts]) => [subnet, [...hosts].map(([h, a]): [number, string] => [h, `${a.local}/${a.prefixlen}`]).sort((a, b) => a[0] - b[0])]);
}

describe('sharedSubnets', () => {
  it('groups hosts whose uplinks share a subnet, also across prefix lengths, and no others', () => {
    const hosts = [
      [addr('192.168.10.163/24')],
      [addr('192.168.10.201/24')],
      [addr('192.168.11.5/24')],
      [addr('192.168.10.7/23'), addr('10.200.7.7/8')],
      [addr('10.200.1.1/16')],
      [addr('10.0.0.1/16')],
    ];
    expect(plain(sharedSubnets(hosts))).toEqual([
      [
        '10.0.0.0/8',
        [
          [3, '10.200.7.7/8'],
          [4, '10.200.1.1/16'],
        ],
      ],
      [
        '192.168.10.0/23',
        [
          [0, '192.168.10.163/24'],
          [1, '192.168.10.201/24'],
          [3, '192.168.10.7/23'],
        ],
      ],
      [
        '192.168.10.0/24',
        [
          [0, '192.168.10.163/24'],
          [1, '192.168.10.201/24'],
        ],
      ],
    ]);
  });

  it('ignores addresses that do not parse, keeps IPv4 and IPv6 apart, and never makes a subnet of one host', () => {
    const hosts = [[addr('fd00::1/64'), { family: 'inet' as const, local: 'bogus', prefixlen: 24 }], [addr('fd00::2/64')], [addr('0.0.0.1/8')], [addr('10.1.0.1/16'), addr('10.1.0.2/16')]];
    const members = sharedSubnets(hosts);
    expect([...members.values()].map((m) => [...m.keys()])).toEqual([[0, 1]]);
  });

  it('finds exactly the members a comparison of every host with every other finds', () => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const hosts = Array.from({ length: 80 }, () => Array.from({ length: 1 + next(3) }, () => addr(`10.${next(3)}.${next(4)}.${next(250)}/${[8, 16, 22, 24, 30][next(5)]}`)));
    expect(plain(sharedSubnets(hosts))).toEqual(plain(bruteForce(hosts)));
  });

  it('puts every node of a flat network of thousands in one subnet with its own address', () => {
    const hosts = Array.from({ length: 4000 }, (_, i) => [addr(`172.20.${i >> 8}.${i & 255}/16`)]);
    const members = sharedSubnets(hosts);
    expect([...members.keys()]).toEqual(['172.20.0.0/16']);
    const flat = members.get('172.20.0.0/16');
    expect(flat?.size).toBe(4000);
    expect(flat?.get(1234)?.local).toBe(`172.20.4.${1234 & 255}`);
  });
});
