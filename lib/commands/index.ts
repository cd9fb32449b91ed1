/**
 * The one list of commands. A command is one file here: its id, argv, output format, scope, parser, the state
 * fields it fills, its paste forms and whether the collector runs it. Derived from this list: CommandId
 * (lib/capture/types.ts), the capture catalog, the parser of each record (lib/parse), the paste reader's tables
 * (iproute2 objects, line records, text shapes), the outputs whose secrets are masked, and the command block of
 * public/tunnelscope-collect.sh (`npm run generate:collector`, checked by a test). Adding a command = adding its
 * file and one line below.
 *
 * Why a folder of its own: a declaration names its parser, so it sits above the parsers (pure functions over a
 * CommandRecord that import only capture's and parse's types and helpers) and below the code that runs, reads and
 * parses commands (lib/capture's collector, paste reader and bundle check; lib/parse's parseHost). CommandId is
 * derived from this list as a type only, so lib/capture/types.ts gains no run-time import and no module imports
 * one that imports it back.
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
import { ipNetconf } from './ip-netconf';
import { ipRoute } from './ip-route';
import { ipRouteGet } from './ip-route-get';
import { ipRule } from './ip-rule';
import { iptablesFilter } from './iptables-filter';
import { iptablesRaw } from './iptables-raw';
import { iptablesRules } from './iptables-rules';
import { iptablesTables } from './iptables-tables';
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
import { procNetAddr } from './proc-net-addr';
import { procNetArp } from './proc-net-arp';
import { procNetIpv6Route } from './proc-net-ipv6-route';
import { procNetRoute } from './proc-net-route';
import { routeN } from './route-n';
import { sysClassNet } from './sys-class-net';
import { sysctl } from './sysctl';
import { tcFilter } from './tc-filter';
import { tcQdisc } from './tc-qdisc';

/**
 * In the order the collector runs them (the /proc and /sys reads only where `ip` is missing), then the forms only read
 * from pastes. Addresses before links: in one ip batch, `link show` leaves iproute2 printing every later `addr show`
 * as it prints links (do_link in ip/ipaddress.c, never reset), with the link mode, the IPv6 address generation mode
 * and the counters before the addresses.
 */
export const COMMANDS = [
  hostname,
  ipAddr,
  ipLink,
  ipRoute,
  ip6Route,
  ipRule,
  ipNeigh,
  ipNetconf,
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
  iptablesTables,
  iptablesRules,
  sysctl,
  bpftoolNet,
  conntrackStats,
  peerpodConfig,
  peerpodSandboxes,
  sysClassNet,
  procNetAddr,
  procNetRoute,
  procNetIpv6Route,
  procNetArp,
  ipRouteGet,
  arp,
  routeN,
] as const;
