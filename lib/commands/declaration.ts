import type { Listing } from './tc-hooks';
import type { Parser } from '@/lib/parse/parser';
import type { StateFieldName } from '@/lib/parse/state';

/**
 * Where a command runs:
 * host: once per host, in the root namespace (OVS/OVN databases, files, the host name);
 * netns: in the root namespace and in every named namespace (narrowed by `namespaces`);
 * device: in every namespace, once per network device and per variant (tc filters per hook), narrowed by `select`
 * and `namespaces`.
 */
export type CommandScope = 'host' | 'netns' | 'device';

/**
 * Which namespaces a netns- or device-scoped command runs in when not all: the root namespace only, or the named
 * (pod) namespaces only. A host's root namespace and its pod namespaces can need different forms of one listing.
 */
export type NamespaceKind = 'root' | 'named';

/** Shapes of text output that lib/capture/paste/shapes.ts tells apart in a paste without its command line. */
export type TextShape =
  'ip-link' | 'route' | 'neigh' | 'fdb' | 'arp-n' | 'arp-a' | 'route-n' | 'tc-qdisc' | 'tc-filter' | 'ovs-show' | 'ofctl-ports' | 'ofctl-flows' | 'iptables' | 'nsid' | 'netns-list';

/** Everything Tunnelscope knows of one command. All commands are read-only. */
export interface CommandDeclaration<Id extends string = string> {
  id: Id;
  /** Binary that must exist on the host. */
  tool: string;
  format: 'json' | 'text';
  scope: CommandScope;
  /** netns and device scopes: run only in the root namespace or only in the named ones; without it, in every one. */
  namespaces?: NamespaceKind;
  /** argv; elements `{dev}` and `{hook}` are replaced as whole elements, never spliced into a string. */
  argv: readonly string[];
  /** Parameter sets for device-scoped commands, e.g. one per tc hook. */
  variants?: readonly Readonly<Record<string, string>>[];
  /**
   * Device-scoped commands: which (device, variant) jobs to run, judged from what the namespace's own commands
   * printed. Without it every device and variant runs.
   */
  select?: (namespace: readonly Listing[]) => (params: Record<string, string>) => boolean;
  /**
   * Device-scoped commands in the collector script: the shell function that prints one job per line, the values
   * of argv's `{parameters}` in the order argv names them.
   */
  collectorJobs?: string;
  /**
   * Run by the collector only as a line of its namespace's iproute2 batch, where it costs no process of its own, and
   * only where the tool answered it once on the host; elsewhere it is not run, and the listing that names it in
   * `coveredBy` runs instead.
   */
  batchedOnly?: boolean;
  /**
   * A `batchedOnly` command that reads the same values as this one: the collector skips this one in a namespace whose
   * batch holds that command. Both fill the same keys, so a capture holding both (a paste) reads each value once.
   */
  coveredBy?: string;
  /**
   * Listings whose whole output this one's holds (`iptables-save` prints every table, `iptables-save -t raw` one of
   * them): where it ran, they count as collected too, so that rules judge an absence from them as from their own
   * record. Its parser fills the same state as theirs.
   */
  holds?: readonly string[];
  /** Failures are expected on many hosts (no OVS, not a pod VM, an iproute2 without it): they do not make the host partial. */
  optional?: boolean;
  /** False for forms recognised in pastes but not run by the collector (text forms, `ip route get`). */
  collect: boolean;
  summary: string;
  parse?: Parser;
  /** The parts of the host's state its parser fills (how each merges: lib/parse/state.ts). */
  fills?: readonly StateFieldName[];
  /** Its output can hold secrets (OVSDB options, the peer-pod config): masked wherever a capture is made or read. */
  secrets?: boolean;
  /** Every line of its text output is one whole record: a paste filtered by grep, head or sort stays readable. */
  lineRecords?: boolean;
  /** The shapes its text output takes: a pasted run of its output ends at a line of another shape. */
  textShapes?: readonly TextShape[];
  /** Where a record of its text output starts; any other unindented line is a terminal's wrap of the line before. */
  textRecordStart?: RegExp;
  /** An `ip OBJECT show` listing a paste may hold, read like the other iproute2 listings (options, -n NS, -6). */
  ipObject?: string;
  /**
   * A read of /proc/net or /sys/class/net that the collector makes only where `ip` is missing, standing in for the
   * ip listing `id`. Where that listing ran in the same namespace its output wins and this one is not read. `whole`:
   * it lists everything that listing would, so the namespace counts that listing as collected (rules judge an
   * absence from it); otherwise absences stay unknown.
   */
  fallbackFor?: { id: string; whole: boolean };
  /**
   * A sysctl listing: the files under /proc/sys (globs, in the order `sysctl -a` reaches them) that its argv selects.
   * Collectors read them in one process instead of `sysctl -a` walking all of /proc/sys, and print the same lines.
   */
  sysctlFiles?: readonly string[];
}
