import type { Finding, Rule } from '../types';
import type { FirewallRule, HostState } from '@/lib/parse/types';
import { memoize } from '@/lib/topology/memoize';
import { ownersOf, plainTunnelsOn } from '../device-index';
import { tunnelParams, tunnelPort } from '../devices';
import { entityEvidence } from '../evidence';
import { inNetns } from '../fix';
import { inCidr, parseCidr, parseIpv4 } from '../ip';
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

const ADDRESS_FLAGS = { '-s': /(!\s+)?-s (\S+)/, '-d': /(!\s+)?-d (\S+)/ };

/** A rule's `-s X` or `-d X`, possibly negated. */
interface AddressMatch {
  test(ip: string): boolean;
  /** The one IPv4 address a plain `-d A/32` (or `-d A`) matches. */
  only?: number;
}

/** Undefined when the rule has no such match. */
function addressMatch(rule: string, flag: '-s' | '-d'): AddressMatch | undefined {
  const m = ADDRESS_FLAGS[flag].exec(rule);
  const cidr = m?.[2];
  if (!cidr) return undefined;
  const negated = m[1] !== undefined;
  const parsed = parseCidr(cidr);
  const only = !negated && parsed?.prefixlen === 32 ? parseIpv4(parsed.address) : undefined;
  return { test: (ip) => inCidr(ip, cidr) !== negated, only };
}

/** Pod IPs by IPv4 value, and each one's position in the set. */
const podIndex = memoize((pods: ReadonlySet<string>) => {
  const byValue = new Map<number, string[]>();
  const position = new Map<string, number>();
  for (const ip of pods) {
    position.set(ip, position.size);
    const value = parseIpv4(ip);
    if (value !== undefined) byValue.set(value, [...(byValue.get(value) ?? []), ip]);
  }
  return { byValue, position };
});

/** The first pod, in set order, that a match accepts; a node has thousands of pods and kube-proxy many REJECT rules. */
function firstPodHit(pods: ReadonlySet<string>, matches: AddressMatch[]): string | undefined {
  if (matches.length === 0) return undefined;
  if (matches.every((m) => m.only !== undefined)) {
    const { byValue, position } = podIndex(pods);
    const hits = matches.flatMap((m) => byValue.get(m.only ?? -1) ?? []);
    return hits.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0))[0];
  }
  for (const ip of pods) if (matches.some((m) => m.test(ip))) return ip;
  return undefined;
}

/** Tunnel ports this host uses, with the remotes whose packets must get through. */
function tunnelPorts(topology: Topology, host: HostState): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const d of plainTunnelsOn(topology, host)) {
    const port = tunnelPort(d.iface);
    if (port === undefined) continue;
    const remote = tunnelParams(d.iface)?.remote;
    out.set(port, [...(out.get(port) ?? []), ...(remote ? [remote] : [])]);
  }
  return out;
}

function verdict(topology: Topology, host: HostState, netns: string | null, rule: FirewallRule, pods: ReadonlySet<string>): string | undefined {
  const target = rule.target ?? /-j (\S+)/.exec(rule.rule)?.[1];
  if (target !== 'DROP' && target !== 'REJECT') return undefined;
  if (rule.table !== 'filter' && rule.table !== 'raw' && rule.table !== 'mangle') return undefined;
  const text = rule.rule;
  const source = addressMatch(text, '-s');
  const destination = addressMatch(text, '-d');
  const udp = (rule.protocol ?? /-p (\S+)/.exec(text)?.[1]) === 'udp';
  if (udp) {
    for (const [port, remotes] of tunnelPorts(topology, host)) {
      if (!ports(text).includes(port)) continue;
      // A set match ("! --match-set … src") lists cluster nodes; it only blocks remotes outside the cluster, such as pod VMs.
      const fromSet = /--match-set/.test(text);
      const blocked = remotes.filter((r) => source?.test(r) !== false);
      if (fromSet && !remotes.some((r) => !ownersOf(topology, r).some((d) => d.host.role !== 'podvm'))) continue;
      if (blocked.length > 0 || remotes.length === 0) return `drops UDP port ${port}, the tunnel port this host uses${blocked.length > 0 ? ` with ${blocked.join(', ')}` : ''}`;
    }
  }
  const hitPod = firstPodHit(
    pods,
    [destination, source].filter((m): m is AddressMatch => m !== undefined),
  );
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
