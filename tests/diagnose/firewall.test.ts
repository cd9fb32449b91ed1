import { describe, expect, it } from 'vitest';
import { RULES } from '@/lib/diagnose';
import type { HostState } from '@/lib/parse/types';
import { iptables, topo } from './builders';
import { flannel } from './fixtures';

/** node-b's underlay address: the destination of node-a's flannel.1 FDB entry. */
const PEER_IP = flannel()[1].namespaces[0].interfaces.find((i) => i.name === 'eth0')?.addresses[0]?.local ?? '';

function dropsOf(rules: string[]): string[] {
  const hosts: HostState[] = flannel();
  const root = hosts[0].namespaces.find((n) => n.netns === null);
  if (!root) throw new Error('fixture');
  root.firewall = rules.map((r) => iptables('filter', r));
  const rule = RULES.find((r) => r.id === 'firewall-drops-pod-traffic');
  return (rule?.run(topo(hosts)) ?? []).map((f) => f.title);
}

describe('firewall-drops-pod-traffic on pod addresses', () => {
  it('names the one pod a REJECT of a single address hits, written with or without /32', () => {
    expect(dropsOf(['-A FORWARD -d 10.244.1.7/32 -j REJECT'])).toEqual(['node-a: filter/FORWARD drops traffic of pod 10.244.1.7']);
    expect(dropsOf(['-A FORWARD -s 10.244.0.5 -j DROP'])).toEqual(['node-a: filter/FORWARD drops traffic of pod 10.244.0.5']);
  });

  it('names the first pod a subnet or a negated match hits, and nothing for addresses no pod has', () => {
    expect(dropsOf(['-A FORWARD -d 10.244.1.0/24 -j DROP'])).toEqual(['node-a: filter/FORWARD drops traffic of pod 10.244.1.7']);
    expect(dropsOf(['-A FORWARD ! -d 192.168.0.0/16 -j DROP'])).toEqual(['node-a: filter/FORWARD drops traffic of pod 10.244.0.5']);
    expect(dropsOf(['-A FORWARD -d 10.244.9.9/32 -j REJECT', '-A INPUT -s 10.244.0.5 -j ACCEPT'])).toEqual([]);
  });
});

describe('firewall-drops-pod-traffic on kube-proxy and node firewall rules', () => {
  it("ignores kube-proxy's localnet block, which only matches loopback destinations, but not a negated source alone", () => {
    const localnet = '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP';
    expect(dropsOf([localnet])).toEqual([]);
    expect(dropsOf(['-A FORWARD ! -s 127.0.0.0/8 -j DROP'])).toEqual(['node-a: filter/FORWARD drops traffic of pod 10.244.0.5']);
  });

  it('reads an ACCEPT of the tunnel port from the cluster hosts followed by a DROP as an allow-list', () => {
    const drop = '-A cali-INPUT -p udp -m comment --comment "Drop IPv4 VXLAN packets from non-allowed hosts" -m multiport --dports 8472 -m addrtype --dst-type LOCAL -j DROP';
    const accept = (match: string) => `-A cali-INPUT -p udp ${match} -m multiport --dports 8472 -m addrtype --dst-type LOCAL -j ACCEPT`;
    const flagged = [`node-a: filter/cali-INPUT drops UDP port 8472, the tunnel port this host uses with ${PEER_IP}`];
    expect(dropsOf([drop])).toEqual(flagged);
    expect(dropsOf([accept(`-s ${PEER_IP}/32`), drop])).toEqual([]);
    expect(dropsOf([accept('-m set --match-set cali40all-vxlan-net src'), drop])).toEqual([]);
    // Not an allow-list for this peer: another source, a conntrack condition, another chain, or the ACCEPT comes after the DROP.
    expect(dropsOf([accept('-s 192.0.2.0/24'), drop])).toEqual(flagged);
    expect(dropsOf([accept(`-s ${PEER_IP}/32 -m conntrack --ctstate ESTABLISHED`), drop])).toEqual(flagged);
    expect(dropsOf([accept(`-s ${PEER_IP}/32`).replace('cali-INPUT', 'INPUT'), drop])).toEqual(flagged);
    expect(dropsOf([drop, accept(`-s ${PEER_IP}/32`)])).toEqual(flagged);
  });
});

describe('firewall-drops-pod-traffic on negated port matches', () => {
  it('flags a DROP of every UDP port but another one, and not a DROP of every port but the tunnel port', () => {
    expect(dropsOf(['-A INPUT -p udp -m udp ! --dport 53 -j DROP'])).toEqual([`node-a: filter/INPUT drops UDP port 8472, the tunnel port this host uses with ${PEER_IP}`]);
    expect(dropsOf(['-A INPUT -p udp -m udp ! --dport 8472 -j DROP'])).toEqual([]);
  });
});
