import type { Finding, Rule } from '../types';
import type { FirewallRule, HostState } from '@/lib/parse/types';
import { allDevices, isPlainTunnel, tunnelParams, tunnelPort } from '../devices';
import { entityEvidence } from '../evidence';
import { inNetns } from '../fix';
import { inCidr } from '../ip';
import { podIps } from '../pods';
import type { Topology } from '@/lib/topology/types';

const ID = 'firewall-drops-pod-traffic';

function ports(rule: string): number[] {
  const m = /--dports? (\S+)/.exec(rule);
  if (!m?.[1]) return [];
  return m[1].split(',').flatMap((p) => {
    const [lo, hi] = p.split(':').map(Number);
    if (lo === undefined || Number.isNaN(lo)) return [];
    return hi === undefined ? [lo] : Array.from({ length: Math.max(0, Math.min(hi - lo + 1, 65536)) }, (_, i) => lo + i);
  });
}

function matchesAddress(rule: string, flag: '-s' | '-d', ip: string): boolean | undefined {
  const m = new RegExp(`(!\\s+)?${flag} (\\S+)`).exec(rule);
  if (!m?.[2]) return undefined;
  const hit = inCidr(ip, m[2]);
  return m[1] ? !hit : hit;
}

/** Tunnel ports this host uses, with the remotes whose packets must get through. */
function tunnelPorts(topology: Topology, host: HostState): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const d of allDevices(topology)) {
    if (d.host !== host || !isPlainTunnel(d.iface)) continue;
    const port = tunnelPort(d.iface);
    if (port === undefined) continue;
    const remote = tunnelParams(d.iface)?.remote;
    out.set(port, [...(out.get(port) ?? []), ...(remote ? [remote] : [])]);
  }
  return out;
}

function verdict(topology: Topology, host: HostState, netns: string | null, rule: FirewallRule, pods: Set<string>): string | undefined {
  const target = rule.target ?? /-j (\S+)/.exec(rule.rule)?.[1];
  if (target !== 'DROP' && target !== 'REJECT') return undefined;
  if (rule.table !== 'filter' && rule.table !== 'raw' && rule.table !== 'mangle') return undefined;
  const text = rule.rule;
  const udp = (rule.protocol ?? /-p (\S+)/.exec(text)?.[1]) === 'udp';
  if (udp) {
    for (const [port, remotes] of tunnelPorts(topology, host)) {
      if (!ports(text).includes(port)) continue;
      // A set match ("! --match-set … src") lists cluster nodes; it only blocks remotes outside the cluster, such as pod VMs.
      const fromSet = /--match-set/.test(text);
      const blocked = remotes.filter((r) => matchesAddress(text, '-s', r) !== false);
      if (fromSet && !remotes.some((r) => !topology.hosts.some((h) => h.role !== 'podvm' && h.namespaces.some((ns) => ns.interfaces.some((i) => i.addresses.some((a) => a.local === r)))))) continue;
      if (blocked.length > 0 || remotes.length === 0) return `drops UDP port ${port}, the tunnel port this host uses${blocked.length > 0 ? ` with ${blocked.join(', ')}` : ''}`;
    }
  }
  const hitPod = [...pods].find((ip) => matchesAddress(text, '-d', ip) === true || matchesAddress(text, '-s', ip) === true);
  if (hitPod) return `drops traffic of pod ${hitPod}`;
  const bare = !/ (-s|-d|-p|-m|-i|-o|--dport|--sport) /.test(`${text} `);
  if (netns !== null && bare) return 'drops everything in a pod namespace';
  return undefined;
}

export const firewallDropsPodTraffic: Rule = {
  id: ID,
  severity: 'warning',
  title: 'An iptables DROP/REJECT rule matches pod or tunnel traffic',
  run(topology) {
    const out: Finding[] = [];
    const pods = podIps(topology);
    for (const host of topology.hosts) {
      for (const ns of host.namespaces) {
        for (const rule of ns.firewall) {
          const why = verdict(topology, host, ns.netns, rule, pods);
          if (!why) continue;
          out.push({
            rule: ID,
            severity: 'warning',
            title: `${host.name}${ns.netns ? `/${ns.netns}` : ''}: ${rule.table}/${rule.chain} ${why}`,
            explanation:
              `The ${rule.table} table rule "${rule.rule}" on ${host.name}${ns.netns ? ` in netns ${ns.netns}` : ''} ${why}. ` +
              `Matching packets are discarded before they reach the device or socket that would carry them, which looks like a ` +
              `silent black hole from both ends.`,
            evidence: entityEvidence(host, ns, rule),
            elements: [ns.netns === null ? `host:${host.name}` : `host:${host.name}/ns:${ns.netns}`],
            fix: [inNetns(ns.netns, `iptables -t ${rule.table} ${rule.rule.replace(/^-A /, '-D ')}`), '# and fix the policy or tool that installed it (host firewall, CNI, security group)'],
          });
        }
      }
    }
    return out;
  },
};
