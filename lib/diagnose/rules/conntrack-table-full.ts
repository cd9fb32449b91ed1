import type { Finding, Rule } from '../types';
import type { HostState, NamespaceState } from '@/lib/parse/types';
import { hostId } from '@/lib/topology/ids';
import { tunnelKind, tunnelPort } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { sh, type ShellLine } from '../fix';
import { finding } from '../finding';

const ID = 'conntrack-table-full';

/** Tunnel UDP ports in use on the host: the traffic worth exempting from connection tracking. */
function tunnelPorts(host: HostState): number[] {
  const ports = host.namespaces.flatMap((ns) => ns.interfaces.filter((i) => tunnelKind(i) !== undefined).map(tunnelPort));
  return [...new Set(ports.filter((p): p is number => p !== undefined))].sort((a, b) => a - b);
}

/**
 * `conntrack -S` counters since boot, summed over CPUs. drop: a new connection found the table full and nothing to
 * evict ("nf_conntrack: table full, dropping packet"); early_drop: an entry was evicted to make room; insert_failed:
 * an entry could not be inserted (a clash, typically parallel UDP such as DNS A/AAAA); each dropped packet is lost.
 */
/** Twice the limit the capture read, where it read one; the reader checks the count against it first. */
function raiseMax(root: NamespaceState): ShellLine {
  const max = Number(root.sysctls['net.netfilter.nf_conntrack_max']);
  if (!Number.isInteger(max) || max <= 0) return sh`sysctl -w net.netfilter.nf_conntrack_max=<twice the current value, if count is near max>`;
  return sh`sysctl -w net.netfilter.nf_conntrack_max=${max * 2}`;
}

function findingFor(host: HostState, root: NamespaceState, stats: Record<string, number>): Finding {
  const drop = stats.drop ?? 0;
  const early = stats.early_drop ?? 0;
  const failed = stats.insert_failed ?? 0;
  const ports = tunnelPorts(host);
  const what = [...(drop > 0 ? [`${drop} packet(s) dropped for a full table`] : []), ...(failed > 0 ? [`${failed} failed insertion(s)`] : [])].join(' and ');
  return finding(ID, 'warning', {
    title: `Connection tracking on ${host.name} has lost packets: ${what}`,
    explanation:
      `The conntrack counters of ${host.name} (conntrack -S, summed over CPUs, since boot) show ${what}` +
      `${early > 0 ? `, and ${early} entries evicted early to make room` : ''}. ` +
      (drop > 0
        ? 'A full table drops the first packet of every new flow on the node, pods and tunnels alike, until entries expire: ' +
          'connections time out at random. Overlay UDP (VXLAN/Geneve) fills it fastest when it is tracked. '
        : 'A failed insertion drops that packet: typically the second of two parallel UDP queries (DNS A and AAAA), seen as 5-second lookup delays. ') +
      'The counters are cumulative, so this may be past trouble: compare with a later capture.',
    evidence: [
      {
        host: host.name,
        netns: root.netns,
        command: 'conntrack -S',
        lines: [`insert_failed=${failed} drop=${drop} early_drop=${early} (sum over all cpu= lines)`],
      },
    ],
    elements: [hostId(host.name)],
    fix: [
      sh`sysctl net.netfilter.nf_conntrack_count net.netfilter.nf_conntrack_max`,
      raiseMax(root),
      ...ports.flatMap((p) => [sh`iptables -t raw -A PREROUTING -p udp --dport ${p} -j NOTRACK`, sh`iptables -t raw -A OUTPUT -p udp --dport ${p} -j NOTRACK`]),
    ],
  });
}

export const conntrackTableFull: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Connection tracking dropped packets (table full or failed insertions)',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const root = rootNamespace(host);
      const stats = root?.conntrackStats;
      if (!root || !stats || ((stats.drop ?? 0) === 0 && (stats.insert_failed ?? 0) === 0)) continue;
      out.push(findingFor(host, root, stats));
    }
    return out;
  },
};
