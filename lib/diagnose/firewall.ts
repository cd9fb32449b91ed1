/** What rules ask of a parsed iptables rule: its match options and the ports they name. */
import type { FirewallOption, FirewallRule } from '@/lib/parse/types';

/** The first option of that name in any of the rule's match modules, e.g. "--dport" or "--match-set". */
export function matchOption(rule: FirewallRule, ...names: string[]): FirewallOption | undefined {
  for (const m of rule.matches.modules) {
    const found = m.options.find((o) => names.includes(o.name));
    if (found) return found;
  }
  return undefined;
}

/** The ports of "--dport 4789" or "--dports 4789,8472:8473" (tcp, udp, multiport), ranges spelled out. */
function ports(option: FirewallOption): number[] {
  return (option.args[0] ?? '').split(',').flatMap((p) => {
    const [lo, hi] = p.split(':').map(Number);
    if (lo === undefined || Number.isNaN(lo)) return [];
    return hi === undefined ? [lo] : Array.from({ length: Math.max(0, Math.min(hi - lo + 1, 65536)) }, (_, i) => lo + i);
  });
}

/** Whether the rule's destination port match takes `port`; undefined when the rule matches no destination port. */
export function matchesDestinationPort(rule: FirewallRule, port: number): boolean | undefined {
  const option = matchOption(rule, '--dport', '--dports');
  return option === undefined ? undefined : ports(option).includes(port) !== (option.negated === true);
}
