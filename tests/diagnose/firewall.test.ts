import { describe, expect, it } from 'vitest';
import { RULES } from '@/lib/diagnose';
import type { HostState } from '@/lib/parse/types';
import { iptables, topo } from './builders';
import { flannel } from './fixtures';

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
