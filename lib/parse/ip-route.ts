/** `ip -j [-d -s -s] route show table all` (the collector's form spells out defaults), `ip r`, `ip -6 r` (iproute2 ip/iproute.c). */
import type { ParseProblem, Route, SourceRef } from './types';
import type { ParseInput, Parser } from './parser';
import { lineProblem, textSource, toInput, itemsFromJson } from './parser';
import { arr, isObject, num, str, strings, type JsonObject } from './json-fields';
import { intOrUndefined, valueAfter, words } from './text-lines';
import { stripUndefined } from './ip-link';

export const parseIpRoute: Parser = (record) => {
  const input = toInput(record);
  const { routes, problems } = readRoutes(input);
  return { state: { routes }, problems };
};

export function readRoutes(input: ParseInput): { routes: Route[]; problems: ParseProblem[] } {
  const read = input.isJson ? routesFromJson(input) : routesFromText(input);
  const table = shownTable(input);
  if (table !== undefined) for (const route of read.routes) route.table ??= table;
  return read;
}

/**
 * `ip route show table 100` prints no `table` on its routes: the table they were listed from is the command's.
 * Unset for `table all` and the main table, whose routes are listed by a plain `ip route` too.
 */
function shownTable(input: ParseInput): string | undefined {
  const table = input.params.table ?? valueAfter(input.argv, 'table');
  return table === undefined || table === 'all' || table === 'main' ? undefined : table;
}

/** Family from the addresses; `default` and device-only routes fall back to the command's -4/-6. */
function familyOf(input: ParseInput, ...addresses: (string | undefined)[]): 'inet' | 'inet6' {
  if (addresses.some((a) => a !== undefined && a.includes(':'))) return 'inet6';
  if (addresses.some((a) => a !== undefined && /^\d+\.\d+\.\d+\.\d+/.test(a))) return 'inet';
  return input.argv.includes('-6') ? 'inet6' : 'inet';
}

function routesFromJson(input: ParseInput): { routes: Route[]; problems: ParseProblem[] } {
  const { items, problems } = itemsFromJson(input, 'not a route object (no dst)', (o, source) => {
    const dst = str(o, 'dst');
    return dst === undefined ? undefined : routeFromJson(input, o, dst, source);
  });
  return { routes: items, problems };
}

/**
 * What iproute2 prints of a route only under -d (ip/iproute.c print_route): the main table, the boot protocol and
 * the global scope, the defaults it otherwise leaves out. They are read as left out, so that `ip -j -d route` (the
 * collector's form) and `ip -j route` (a paste) give the same routes: a route without them is in the main table.
 */
const SHOWN_BY_DETAILS = { table: 'main', protocol: 'boot', scope: 'global' } as const;

function routeFromJson(input: ParseInput, o: JsonObject, dst: string, source: SourceRef): Route {
  const gateway = str(o, 'gateway');
  const prefsrc = str(o, 'prefsrc');
  // Optional fields are set only when present, in the order the model lists them (see stripUndefined).
  const route = { family: familyOf(input, dst === 'default' ? undefined : dst, gateway, prefsrc), dst } as Route;
  const type = str(o, 'type');
  if (type !== undefined && type !== 'unicast') route.type = type;
  if (gateway !== undefined) route.gateway = gateway;
  const dev = str(o, 'dev');
  if (dev !== undefined) route.dev = dev;
  const tableName = str(o, 'table');
  const tableNumber = tableName === undefined ? num(o, 'table') : undefined;
  const table = tableName ?? (tableNumber === undefined ? undefined : String(tableNumber));
  if (table !== undefined && table !== SHOWN_BY_DETAILS.table) route.table = table;
  const protocol = str(o, 'protocol');
  if (protocol !== undefined && protocol !== SHOWN_BY_DETAILS.protocol) route.protocol = protocol;
  const scope = str(o, 'scope');
  if (scope !== undefined && scope !== SHOWN_BY_DETAILS.scope) route.scope = scope;
  if (prefsrc !== undefined) route.prefsrc = prefsrc;
  const metric = num(o, 'metric');
  if (metric !== undefined) route.metric = metric;
  const mtu = metricsMtu(arr(o, 'metrics'));
  if (mtu !== undefined) route.mtu = mtu;
  route.flags = strings(o, 'flags');
  route.source = source;
  return route;
}

function metricsMtu(metrics: unknown[]): number | undefined {
  for (const m of metrics) {
    if (!isObject(m)) continue;
    const mtu = num(m, 'mtu');
    if (mtu !== undefined) return mtu;
  }
  return undefined;
}

const ROUTE_TYPES = new Set(['unicast', 'local', 'broadcast', 'multicast', 'anycast', 'unreachable', 'blackhole', 'prohibit', 'throw', 'nat']);
const ROUTE_FLAGS = new Set(['linkdown', 'onlink', 'dead', 'pervasive', 'offload', 'notify', 'trap', 'rt_offload', 'rt_trap']);
/** Keys followed by a value that the model does not keep; skipped so the value is not read as the next key. */
const OTHER_KEYS = new Set([
  'pref',
  'expires',
  'hoplimit',
  'advmss',
  'rtt',
  'rttvar',
  'window',
  'cwnd',
  'initcwnd',
  'initrwnd',
  'realm',
  'realms',
  'uid',
  'weight',
  'nhid',
  'features',
  'quickack',
  'congctl',
  'fastopen_no_cookie',
  'error',
  'ssthresh',
  'reordering',
  'tos',
  'dsfield',
  'iif',
  'from',
  'mark',
  'ipid',
  'encap',
  'ttl-propagate',
  'rto_min',
  'lock',
]);

function routesFromText(input: ParseInput): { routes: Route[]; problems: ParseProblem[] } {
  const routes: Route[] = [];
  const problems: ParseProblem[] = [];
  input.lines.forEach((line, i) => {
    if (line.trim() === '') return;
    if (/^\s/.test(line)) {
      const last = routes[routes.length - 1];
      if (last) continueRoute(last, line);
      return;
    }
    const route = routeFromText(input, line);
    if (route) routes.push(route);
    else problems.push(lineProblem(input.command, i + 1, line, 'not a route line: skipped'));
  });
  return { routes, problems };
}

/** Readers of `key value` pairs: each stores the value and returns the index after what it consumed. */
const ROUTE_KEYS: Record<string, (route: Route, ws: string[], i: number) => number> = {
  via: (r, ws, i) => {
    const hasFamily = ws[i] === 'inet' || ws[i] === 'inet6';
    r.gateway = ws[hasFamily ? i + 1 : i];
    return hasFamily ? i + 2 : i + 1;
  },
  dev: (r, ws, i) => ((r.dev = ws[i]), i + 1),
  table: (r, ws, i) => ((r.table = ws[i] === SHOWN_BY_DETAILS.table ? undefined : ws[i]), i + 1),
  proto: (r, ws, i) => ((r.protocol = ws[i] === SHOWN_BY_DETAILS.protocol ? undefined : ws[i]), i + 1),
  scope: (r, ws, i) => ((r.scope = ws[i] === SHOWN_BY_DETAILS.scope ? undefined : ws[i]), i + 1),
  src: (r, ws, i) => ((r.prefsrc = ws[i]), i + 1),
  metric: (r, ws, i) => ((r.metric = intOrUndefined(ws[i])), i + 1),
  mtu: (r, ws, i) => {
    const locked = ws[i] === 'lock';
    r.mtu = intOrUndefined(ws[locked ? i + 1 : i]);
    return locked ? i + 2 : i + 1;
  },
};

function readRouteWords(route: Route, ws: string[], start: number): void {
  let i = start;
  while (i < ws.length) {
    const key = ws[i++];
    if (ROUTE_FLAGS.has(key)) route.flags.push(key);
    else if (key in ROUTE_KEYS) i = ROUTE_KEYS[key](route, ws, i);
    else if (OTHER_KEYS.has(key)) i++;
  }
}

/** Indented lines: `nexthop via X dev Y weight 1` (multipath) and `cache mtu 1400` (route get) complete the route. */
function continueRoute(route: Route, line: string): void {
  route.source?.lines.push(line);
  const more: Route = { family: route.family, dst: route.dst, flags: [] };
  readRouteWords(more, words(line), 0);
  for (const key of Object.keys(more) as (keyof Route)[]) {
    if (route[key] === undefined && more[key] !== undefined) Object.assign(route, { [key]: more[key] });
  }
}

export function routeFromText(input: ParseInput, line: string): Route | undefined {
  const ws = words(line);
  let i = 0;
  const type = ROUTE_TYPES.has(ws[0] ?? '') ? ws[i++] : undefined;
  const dst = ws[i++];
  if (dst === undefined || !(dst === 'default' || /^[0-9a-f.:]+(\/\d+)?$/i.test(dst))) return undefined;
  const route: Route = { family: 'inet', dst, flags: [], source: textSource(input.command, [line]) };
  if (type !== undefined && type !== 'unicast') route.type = type;
  readRouteWords(route, ws, i);
  route.family = familyOf(input, dst === 'default' ? undefined : dst, route.gateway, route.prefsrc);
  return stripUndefined(route);
}
