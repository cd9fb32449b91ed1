import type { Finding, Rule } from '../types';
import type { FirewallRule, FirewallValue, HostState } from '@/lib/parse/types';
import { memoize } from '@/lib/topology/memoize';
import { ownersOf, plainTunnelsOn } from '@/lib/topology/query/device-index';
import { tunnelPort } from '@/lib/topology/query/devices';
import { tunnelParams } from '@/lib/topology/inventory';
import { entityEvidence } from '../evidence';
import { matchesDestinationPort, matchOption } from '../firewall';
import { inNetns, iptablesDelete, note } from '../fix';
import { inCidr, parseCidr, parseIpv4 } from '../ip';
import { podIps } from '../pods';
import type { Topology } from '@/lib/topology/types';
import { finding } from '../finding';

const ID = 'firewall-drops-pod-traffic';

/** A rule's `-s X` or `-d X`, possibly negated. */
interface AddressMatch {
  test(ip: string): boolean;
  /** The one IPv4 address a plain `-d A/32` (or `-d A`) matches. */
  only?: number;
  /** Matches loopback addresses only (`-d 127.0.0.0/8`): no packet from or to a pod has one at the other end. */
  loopbackOnly: boolean;
}

/** Undefined when the rule has no such match. */
function addressMatch(match: FirewallValue | undefined): AddressMatch | undefined {
  if (match === undefined) return undefined;
  const { value: cidr, negated = false } = match;
  const parsed = parseCidr(cidr);
  const only = !negated && parsed?.prefixlen === 32 ? parseIpv4(parsed.address) : undefined;
  const loopbackOnly = !negated && parsed !== undefined && (parsed.address === '::1' || (parsed.prefixlen >= 8 && inCidr(parsed.address, '127.0.0.0/8')));
  return { test: (ip) => inCidr(ip, cidr) !== negated, only, loopbackOnly };
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

/**
 * Tunnel ports this host uses, with the remotes whose packets must get through: a tunnel's `remote`, else the
 * destinations of its FDB entries (flannel.1, vxlan.calico, head-end replication lists).
 */
function tunnelPorts(topology: Topology, host: HostState): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const d of plainTunnelsOn(topology, host)) {
    const port = tunnelPort(d.iface);
    if (port === undefined) continue;
    const remote = tunnelParams(d.iface)?.remote;
    const remotes = remote ? [remote] : d.ns.fdb.filter((e) => e.dev === d.iface.name && e.dst !== undefined).map((e) => e.dst ?? '');
    out.set(port, [...new Set([...(out.get(port) ?? []), ...remotes])]);
  }
  return out;
}

/** An address of a cluster host (a node, not a pod VM): what a node firewall's IP set of allowed hosts lists. */
function isClusterHost(topology: Topology, ip: string): boolean {
  return ownersOf(topology, ip).some((d) => d.host.role !== 'podvm');
}

/** Matches an ACCEPT may carry and still accept every new UDP packet from its sources. */
const PLAIN_MATCHES = new Set(['comment', 'udp', 'multiport', 'addrtype', 'set']);

/**
 * An earlier ACCEPT in the same chain lets the tunnel's UDP from `remote` through, so a later DROP of the port only
 * catches everyone else: an allow-list of cluster hosts (Calico's "Allow IPv4 VXLAN packets from allowed hosts").
 * Only plain ACCEPTs count: one tied to a device, a destination, conntrack state or a mark may not see the tunnel's packets.
 */
function acceptedBefore(topology: Topology, earlier: readonly FirewallRule[], drop: FirewallRule, port: number, remote: string): boolean {
  return earlier.some((r) => {
    const m = r.matches;
    if (r.table !== drop.table || r.chain !== drop.chain || r.target?.name !== 'ACCEPT' || m.inInterface || m.outInterface || m.destination) return false;
    if (m.protocol !== undefined && (m.protocol.value !== 'udp' || m.protocol.negated)) return false;
    if (m.modules.some((x) => !PLAIN_MATCHES.has(x.module))) return false;
    if (matchesDestinationPort(r, port) === false) return false;
    if (matchOption(r, '--match-set')) return isClusterHost(topology, remote);
    return addressMatch(m.source)?.test(remote) ?? true;
  });
}

function verdict(topology: Topology, host: HostState, netns: string | null, rules: readonly FirewallRule[], index: number, pods: ReadonlySet<string>): string | undefined {
  const rule = rules[index];
  const target = rule?.target?.name;
  if (rule === undefined || (target !== 'DROP' && target !== 'REJECT')) return undefined;
  if (rule.table !== 'filter' && rule.table !== 'raw' && rule.table !== 'mangle') return undefined;
  const m = rule.matches;
  const source = addressMatch(m.source);
  const destination = addressMatch(m.destination);
  if (m.protocol?.value === 'udp' && !m.protocol.negated) {
    for (const [port, remotes] of tunnelPorts(topology, host)) {
      if (matchesDestinationPort(rule, port) !== true) continue;
      // A set match ("! --match-set … src") lists cluster nodes; it only blocks remotes outside the cluster, such as pod VMs.
      const fromSet = matchOption(rule, '--match-set') !== undefined;
      const blocked = remotes.filter((r) => source?.test(r) !== false && !acceptedBefore(topology, rules.slice(0, index), rule, port, r));
      if (fromSet && !remotes.some((r) => !isClusterHost(topology, r))) continue;
      if (blocked.length > 0 || remotes.length === 0) return `drops UDP port ${port}, the tunnel port this host uses${blocked.length > 0 ? ` with ${blocked.join(', ')}` : ''}`;
    }
  }
  // kube-proxy's "block incoming localnet connections" (! -s 127.0.0.0/8 -d 127.0.0.0/8) never sees pod traffic.
  const loopback = source?.loopbackOnly === true || destination?.loopbackOnly === true;
  const hitPod = loopback
    ? undefined
    : firstPodHit(
        pods,
        [destination, source].filter((m): m is AddressMatch => m !== undefined),
      );
  if (hitPod) return `drops traffic of pod ${hitPod}`;
  const bare = !m.protocol && !m.source && !m.destination && !m.inInterface && !m.outInterface && m.modules.length === 0;
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
        for (const [index, rule] of ns.firewall.entries()) {
          const why = verdict(topology, host, ns.netns, ns.firewall, index, pods);
          if (!why) continue;
          out.push(
            finding(ID, 'warning', {
              title: `${host.name}${ns.netns ? `/${ns.netns}` : ''}: ${rule.table}/${rule.chain} ${why}`,
              explanation:
                `The ${rule.table} table rule "${rule.rule}" on ${host.name}${ns.netns ? ` in netns ${ns.netns}` : ''} ${why}. ` +
                `Matching packets are discarded before they reach the device or socket that would carry them, which looks like a ` +
                `silent black hole from both ends.`,
              evidence: entityEvidence(host, ns, rule),
              elements: [ns.netns === null ? `host:${host.name}` : `host:${host.name}/ns:${ns.netns}`],
              fix: [inNetns(ns.netns, iptablesDelete(rule.table, rule.rule)), note`and fix the policy or tool that installed it (host firewall, CNI, security group)`],
            }),
          );
        }
      }
    }
    return out;
  },
};
