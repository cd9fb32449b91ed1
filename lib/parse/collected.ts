/**
 * Whether a table of a namespace can be judged. An empty table from a command that ran means "none"; from a
 * command that did not run it means "unknown". A listing narrowed to one device judges that device only: an
 * engineer's paste of `ip a show br-ex` or `tc filter show dev eth0 ingress` says nothing of the others. Captures
 * made before the list of collected commands existed lack it: there a non-empty table is the only sign that the
 * command ran.
 */
import type { CommandId } from '@/lib/capture/types';
import type { HostState, NamespaceState } from '@/lib/parse/types';

/** Whether the whole `command` listing of the namespace ran, alone or held in one that ran (lib/commands: holds). */
export function ranIn(ns: NamespaceState, command: CommandId, tableHasRows: boolean): boolean {
  return ns.collected ? ns.collected.includes(command) : tableHasRows;
}

/** Whether `command` ran for device `dev`: the whole listing, or one narrowed to that device. */
export function ranFor(ns: NamespaceState, command: CommandId, dev: string, tableHasRows: boolean): boolean {
  return ranIn(ns, command, tableHasRows) || (ns.collectedFor?.[command]?.includes(dev) ?? false);
}

/** Whether every device of the namespace was listed (by `ip link` or `ip addr`), so that one not listed is not there. */
export function devicesListed(ns: NamespaceState): boolean {
  const hasRows = ns.interfaces.length > 0;
  return ranIn(ns, 'ip-link', hasRows) || ranIn(ns, 'ip-addr', hasRows);
}

/**
 * The tc filters of a device are known when its filter listing ran, or when the whole qdisc listing shows no
 * clsact/ingress qdisc on it (nothing could hold a filter, so the collector did not ask). A failed listing for it
 * is unknown.
 */
export function tcFiltersKnown(host: HostState, ns: NamespaceState, dev: string): boolean {
  const failed = host.problems.some((p) => p.command.startsWith('tc ') && p.command.includes(` dev ${dev} `));
  if (failed) return false;
  if (ranFor(ns, 'tc-filter', dev, ns.tcFilters.length > 0)) return true;
  const holdsFilters = ns.qdiscs.some((q) => q.dev === dev && (q.kind === 'clsact' || q.kind === 'ingress'));
  return ranIn(ns, 'tc-qdisc', false) && !holdsFilters;
}
