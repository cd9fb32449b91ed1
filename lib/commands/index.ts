/**
 * The one list of commands. A command is one file here: its id, argv, output format, scope, parser, the state
 * it fills and whether the collector runs it; the capture catalog, the CommandId type, the parse step, the paste
 * recogniser's iproute2 objects and the collector script (scripts/generate-collector.ts) are derived from this list.
 * Adding a command = adding its file and one line below.
 *
 * Why a folder of its own: a declaration names its parser, so it sits above the parsers (pure functions over a
 * CommandRecord, which import only capture's and parse's types) and below the code that runs, reads and parses
 * commands (lib/capture's collector, paste reader and bundle check; lib/parse's parseHost). lib/capture/types.ts
 * derives CommandId from this list as a type only, so no module imports upward at run time.
 */
import { arp } from './arp';
import { bpftoolNet } from './bpftool-net';
import { bridgeFdb } from './bridge-fdb';
import { conntrackStats } from './conntrack-stats';
import { hostname } from './hostname';
import { ip6Route } from './ip6-route';
import { ipAddr } from './ip-addr';
import { ipLink } from './ip-link';
import { ipNeigh } from './ip-neigh';
import { ipRoute } from './ip-route';
import { ipRouteGet } from './ip-route-get';
import { ipRule } from './ip-rule';
import { iptablesFilter } from './iptables-filter';
import { iptablesRaw } from './iptables-raw';
import { iptablesRules } from './iptables-rules';
import { netnsList } from './netns-list';
import { netnsListId } from './netns-list-id';
import { ovnLsp } from './ovn-lsp';
import { ovsBridge } from './ovs-bridge';
import { ovsInterface } from './ovs-interface';
import { ovsOfctlDumpPorts } from './ovs-ofctl-dump-ports';
import { ovsOpenVswitch } from './ovs-open-vswitch';
import { ovsPort } from './ovs-port';
import { ovsShow } from './ovs-show';
import { peerpodConfig } from './peerpod-config';
import { peerpodSandboxes } from './peerpod-sandboxes';
import { routeN } from './route-n';
import { sysctl } from './sysctl';
import { tcFilter } from './tc-filter';
import { tcQdisc } from './tc-qdisc';

/** In the order the collector runs them, then the forms only read from pastes. */
export const COMMANDS = [
  hostname,
  ipLink,
  ipAddr,
  ipRoute,
  ip6Route,
  ipRule,
  ipNeigh,
  netnsListId,
  netnsList,
  tcQdisc,
  tcFilter,
  bridgeFdb,
  ovsOpenVswitch,
  ovsBridge,
  ovsPort,
  ovsInterface,
  ovsShow,
  ovsOfctlDumpPorts,
  ovnLsp,
  iptablesRaw,
  iptablesFilter,
  iptablesRules,
  sysctl,
  bpftoolNet,
  conntrackStats,
  peerpodConfig,
  peerpodSandboxes,
  ipRouteGet,
  arp,
  routeN,
] as const;
