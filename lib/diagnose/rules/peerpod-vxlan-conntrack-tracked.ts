import type { Evidence, Finding, Rule } from '../types';
import type { FirewallRule, FirewallValue, HostState, NamespaceState } from '@/lib/parse/types';
import type { Topology } from '@/lib/topology/types';
import { hostId } from '@/lib/topology/ids';
import { ranIn } from '@/lib/parse/collected';
import { deviceId, tunnelPort, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { tunnelParams } from '@/lib/topology/inventory';
import { deviceEvidence, entityEvidence, mergeEvidence } from '../evidence';
import { matchOption } from '../firewall';
import { iptablesDelete, note, sh, type ShellLine, where } from '../fix';
import { rootAddressesOf } from '@/lib/topology/query/device-index';
import { misdirectedTunnels } from '../peerpod';
import { peerPodTunnelsOn } from '../peerpod-tunnels';
import { finding } from '../finding';

const ID = 'peerpod-vxlan-conntrack-tracked';

/** cloud-api-adaptor's raw-table chains (tunneler/vxlan/iptables.go); one rule pair per tunnel, comment "peerpod [vni:N]". */
const CHAINS = { out: 'peerpod-OUTPUT', pre: 'peerpod-PREROUTING' } as const;

function caaRules(ns: NamespaceState): FirewallRule[] {
  return ns.firewall.filter((r) => r.table === 'raw' && (r.chain.startsWith('peerpod-') || r.target?.name.startsWith('peerpod-') === true));
}

/** iptables-save prints NOTRACK as "-j NOTRACK", or as "-j CT --notrack" where it maps the target to CT. */
function notrack(rule: FirewallRule): boolean {
  const target = rule.target;
  return target?.name === 'NOTRACK' || (target?.name === 'CT' && target.options.some((o) => o.name === '--notrack'));
}

function isOnly(match: FirewallValue | undefined, value: string): boolean {
  return match !== undefined && !match.negated && match.value === value;
}

function matches(rule: FirewallRule, chain: string, side: 'destination' | 'source', remote: string, port: number): boolean {
  const addr = rule.matches[side];
  const dport = matchOption(rule, '--dport');
  return rule.chain === chain && notrack(rule) && (isOnly(addr, remote) || isOnly(addr, `${remote}/32`)) && dport?.negated !== true && dport?.args[0] === String(port);
}

interface Expected {
  tunnel: Device;
  remote: string;
  port: number;
  vni: number;
  missing: (typeof CHAINS)[keyof typeof CHAINS][];
}

function expected(tunnel: Device, rules: FirewallRule[]): Expected | undefined {
  const params = tunnelParams(tunnel.iface);
  const port = tunnelPort(tunnel.iface);
  if (params?.remote === undefined || params.vni === undefined || port === undefined) return undefined;
  const missing = [
    ...(rules.some((r) => matches(r, CHAINS.out, 'destination', params.remote ?? '', port)) ? [] : [CHAINS.out]),
    ...(rules.some((r) => matches(r, CHAINS.pre, 'source', params.remote ?? '', port)) ? [] : [CHAINS.pre]),
  ];
  return { tunnel, remote: params.remote, port, vni: params.vni, missing };
}

function addCommand(e: Expected, chain: Expected['missing'][number]): ShellLine {
  const flag = chain === CHAINS.out ? '-d' : '-s';
  return sh`iptables -t raw -A ${chain} -m comment --comment ${`peerpod [vni:${e.vni}]`} ${flag} ${e.remote}/32 -p udp -m udp --dport ${e.port} -j NOTRACK`;
}

function missingFinding(host: HostState, e: Expected, evidence: Evidence[]): Finding {
  const t = e.tunnel;
  return finding(ID, 'warning', {
    title: `No NOTRACK rule for peer-pod tunnel ${t.iface.name} (VNI ${e.vni}, ${e.remote}:${e.port}) on ${host.name}`,
    explanation:
      `cloud-api-adaptor on ${host.name} exempts its tunnels from connection tracking: the raw table has its ${CHAINS.out}/` +
      `${CHAINS.pre} rules, but none in ${e.missing.join(' and ')} for ${where(host.name, t.ns.netns, t.iface.name)}, ` +
      `which sends UDP ${e.port} to ${e.remote} with VNI ${e.vni}. Every tunnel packet then gets a conntrack entry, mostly ` +
      `[UNREPLIED] since both sides send to the same port; on a busy node the table fills and the kernel drops new flows ` +
      `("nf_conntrack: table full, dropping packet"), for all pods, not only this one.`,
    evidence: mergeEvidence([deviceEvidence(t), ...evidence]),
    elements: [deviceId(t), hostId(host.name)],
    fix: [...e.missing.map((chain) => addCommand(e, chain)), note`or recreate the pod so cloud-api-adaptor installs the rules again`],
  });
}

/** A rule for an address and port that no live tunnel uses is what a failed teardown leaves behind. */
function leftovers(rules: FirewallRule[], live: Expected[]): FirewallRule[] {
  return rules.filter((r) => {
    const side = r.chain === CHAINS.out ? 'destination' : r.chain === CHAINS.pre ? 'source' : undefined;
    if (side === undefined || !notrack(r)) return false;
    return !live.some((e) => matches(r, r.chain, side, e.remote, e.port));
  });
}

function leftoverFinding(host: HostState, root: NamespaceState, stale: FirewallRule[]): Finding {
  return finding(ID, 'info', {
    title: `${stale.length} peer-pod NOTRACK rule(s) on ${host.name} match no live tunnel`,
    explanation:
      `The raw table of ${host.name} exempts tunnel traffic from connection tracking for addresses and ports that no ` +
      `peer-pod tunnel on this host uses any more: a pod teardown did not remove them. They do no harm by themselves, but ` +
      `traffic to a new machine that reuses the address is not tracked either.`,
    evidence: stale.flatMap((r) => entityEvidence(host, root, r)),
    elements: [hostId(host.name)],
    fix: stale.map((r) => iptablesDelete('raw', r.rule)),
  });
}

function judgeHost(topology: Topology, host: HostState): Finding[] {
  const root = rootNamespace(host);
  const tunnels = peerPodTunnelsOn(topology, host);
  if (!root || tunnels.length === 0 || !ranIn(root, 'iptables-raw', root.firewall.length > 0)) return [];
  const rules = caaRules(root);
  // Releases before v0.10.0 install no NOTRACK rules at all: without any peerpod chain there is nothing to expect.
  if (rules.length === 0) return [];
  const evidence = mergeEvidence(rules.flatMap((r) => entityEvidence(host, root, r)));
  const live = tunnels.map((t) => expected(t, rules)).filter((e): e is Expected => e !== undefined);
  // A tunnel sending to a wrong address is the endpoint-mismatch finding: rules for that address are no fix, and the
  // rules for the host it was meant to reach are not leftovers.
  const misdirected = misdirectedTunnels(topology);
  const meant = live.flatMap((e) => {
    const far = misdirected.get(e.tunnel.iface);
    return far ? [...rootAddressesOf(topology, far)].map((remote) => ({ ...e, remote })) : [];
  });
  const out = live.filter((e) => e.missing.length > 0 && !misdirected.has(e.tunnel.iface)).map((e) => missingFinding(host, e, evidence));
  const stale = leftovers(rules, [...live, ...meant]);
  return stale.length > 0 ? [...out, leftoverFinding(host, root, stale)] : out;
}

export const peerpodVxlanConntrackTracked: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Peer-pod tunnel traffic is not exempt from connection tracking',
  run(topology) {
    return topology.hosts.flatMap((host) => judgeHost(topology, host));
  },
};
