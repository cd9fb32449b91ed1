/**
 * /proc/net/route (IPv4, the main table only) and /proc/net/ipv6_route (IPv6, every table), read where `ip` is
 * missing. Neither tells a route's protocol or its preferred source; /proc/net/ipv6_route does not name the table,
 * so local, anycast and multicast routes are placed in the local table, where the kernel puts them, and the others
 * in the main one.
 */
import type { ParseProblem, Route } from './types';
import type { ParseInput, Parser } from './parser';
import { lineProblem, textSource, toInput } from './parser';
import { words } from './text-lines';
import { ipv4FromHex, ipv6FromHex, prefixFromMaskHex } from './proc-net-hex';

/** include/uapi/linux/route.h and ipv6_route.h. */
const RTF_GATEWAY = 0x2;
const RTF_REJECT = 0x200;
const RTF_CACHE = 0x01000000;
const RTF_ANYCAST = 0x00100000;
const RTF_LOCAL = 0x80000000;
/** The metric of the IPv6 null entry the kernel lists in every table, which iproute2 never shows. */
const NULL_ENTRY_METRIC = 0xffffffff;

const IPV4_HEADER = /^Iface\s+Destination\s+Gateway\s/;

function hexNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^[0-9a-fA-F]+$/.test(text) ? Number.parseInt(text, 16) : undefined;
}

/** `Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT`, one route a line. */
export function ipv4RouteFromLine(line: string, command: string): Route | undefined {
  const [dev, dstHex, gwHex, flagsHex, , , metricText, maskHex] = words(line);
  const dst = ipv4FromHex(dstHex ?? '');
  const gateway = ipv4FromHex(gwHex ?? '');
  const flags = hexNumber(flagsHex);
  const prefixlen = prefixFromMaskHex(maskHex ?? '');
  const metric = metricText !== undefined && /^\d+$/.test(metricText) ? Number(metricText) : undefined;
  if (dev === undefined || dst === undefined || gateway === undefined || flags === undefined || prefixlen === undefined || metric === undefined) return undefined;
  const viaGateway = (flags & RTF_GATEWAY) !== 0;
  const route: Route = { family: 'inet', dst: prefixlen === 0 ? 'default' : prefixlen === 32 ? dst : `${dst}/${prefixlen}`, flags: [] };
  // A route with no device is a blackhole; unreachable and prohibit ones are flagged reject (fib_flag_trans).
  if ((flags & RTF_REJECT) !== 0) route.type = 'unreachable';
  else if (dev === '*') route.type = 'blackhole';
  if (viaGateway) route.gateway = gateway;
  if (dev !== '*') route.dev = dev;
  if (!viaGateway && dev !== '*') route.scope = 'link';
  if (metric > 0) route.metric = metric;
  route.source = textSource(command, [line]);
  return route;
}

function readLines(input: ParseInput, read: (line: string) => Route | undefined | null, what: string): { routes: Route[]; problems: ParseProblem[] } {
  const routes: Route[] = [];
  const problems: ParseProblem[] = [];
  input.lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const route = read(line);
    if (route) routes.push(route);
    else if (route === undefined) problems.push(lineProblem(input.command, i + 1, line, `not a ${what} line: skipped`));
  });
  return { routes, problems };
}

export const parseProcNetRoute: Parser = (record) => {
  const input = toInput(record);
  const { routes, problems } = readLines(input, (line) => (IPV4_HEADER.test(line) ? null : ipv4RouteFromLine(line, input.command)), '/proc/net/route');
  return { state: { routes }, problems };
};

/** `dst dst_len src src_len nexthop metric refcnt use flags dev`; null for the entries iproute2 does not list. */
function ipv6RouteFromLine(line: string, command: string): Route | undefined | null {
  const ws = words(line);
  if (ws.length !== 10) return undefined;
  const [dstHex, dstLen, , srcLen, nexthopHex, metricHex, , , flagsHex, dev] = ws;
  const dst = ipv6FromHex(dstHex);
  const prefixlen = hexNumber(dstLen);
  const nexthop = ipv6FromHex(nexthopHex);
  const metric = hexNumber(metricHex);
  const flags = hexNumber(flagsHex);
  if (dst === undefined || prefixlen === undefined || prefixlen > 128 || nexthop === undefined || metric === undefined || flags === undefined || hexNumber(srcLen) === undefined) return undefined;
  if ((flags & RTF_CACHE) !== 0 || ((flags & RTF_REJECT) !== 0 && metric === NULL_ENTRY_METRIC)) return null;
  const route: Route = { family: 'inet6', dst: prefixlen === 0 ? 'default' : prefixlen === 128 ? dst : `${dst}/${prefixlen}`, flags: [] };
  const local = (flags & RTF_LOCAL) !== 0;
  const anycast = (flags & RTF_ANYCAST) !== 0;
  const multicast = !local && !anycast && dst.startsWith('ff') && prefixlen >= 8;
  if (local) route.type = 'local';
  else if (anycast) route.type = 'anycast';
  else if (multicast) route.type = 'multicast';
  else if ((flags & RTF_REJECT) !== 0) route.type = 'unreachable';
  if ((flags & RTF_GATEWAY) !== 0) route.gateway = nexthop;
  route.dev = dev;
  if (local || anycast || multicast) route.table = 'local';
  route.metric = metric;
  route.source = textSource(command, [line]);
  return route;
}

export const parseProcNetIpv6Route: Parser = (record) => {
  const input = toInput(record);
  const { routes, problems } = readLines(input, (line) => ipv6RouteFromLine(line, input.command), '/proc/net/ipv6_route');
  return { state: { routes }, problems };
};
