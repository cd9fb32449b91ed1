/** The one list of parsers: adding a command's parser is one module and one line here. */
import type { CommandId } from '@/lib/capture/types';
import type { Parser } from './parser';
import { parseIpLink } from './ip-link';
import { parseIpAddr } from './ip-addr';
import { parseIpRoute } from './ip-route';
import { parseRouteN } from './route-n';
import { parseIpRouteGet } from './ip-route-get';
import { parseArp, parseIpNeigh } from './ip-neigh';
import { parseNetns } from './netns';
import { parseTcFilter, parseTcQdisc } from './tc';
import { parseBridgeFdb } from './bridge-fdb';
import { ovsTableParser, parseOvsDumpPorts, parseOvsShow } from './ovs';
import { parseOvnLsp } from './ovn';
import { parseIptables } from './iptables';
import { parseSysctl } from './sysctl';
import { parseBpftoolNet } from './bpftool';
import { parseConntrackStats } from './conntrack';
import { parsePeerpodConfig } from './peerpod';

export const PARSERS: Partial<Record<CommandId, Parser>> = {
  'ip-link': parseIpLink,
  'ip-addr': parseIpAddr,
  'ip-route': parseIpRoute,
  'ip6-route': parseIpRoute,
  'ip-route-get': parseIpRouteGet,
  'route-n': parseRouteN,
  'ip-neigh': parseIpNeigh,
  arp: parseArp,
  'netns-list': parseNetns,
  'netns-list-id': parseNetns,
  'tc-qdisc': parseTcQdisc,
  'tc-filter': parseTcFilter,
  'bridge-fdb': parseBridgeFdb,
  'ovs-open-vswitch': ovsTableParser('Open_vSwitch'),
  'ovs-bridge': ovsTableParser('Bridge'),
  'ovs-port': ovsTableParser('Port'),
  'ovs-interface': ovsTableParser('Interface'),
  'ovs-show': parseOvsShow,
  'ovs-ofctl-dump-ports': parseOvsDumpPorts,
  'ovn-lsp': parseOvnLsp,
  'iptables-raw': parseIptables,
  'iptables-filter': parseIptables,
  'iptables-rules': parseIptables,
  sysctl: parseSysctl,
  'bpftool-net': parseBpftoolNet,
  'conntrack-stats': parseConntrackStats,
  'peerpod-config': parsePeerpodConfig,
};

export function parserFor(id: CommandId): Parser | undefined {
  return PARSERS[id];
}
