/** `bridge -j fdb show` and `bridge fdb show` (iproute2 bridge/fdb.c). */
import type { FdbEntry, ParseProblem } from './types';
import type { Parser } from './parser';
import { deviceOf, lineProblem, textSource, toInput, itemsFromJson } from './parser';
import { num, str, strings } from './json-fields';
import { intOrUndefined, words } from './text-lines';
import { stripUndefined } from './ip-link';

const STATES = new Set(['permanent', 'static', 'stale', 'noarp', 'reachable']);
const VALUE_KEYS = new Set(['dev', 'dst', 'vni', 'port', 'master', 'vlan', 'via', 'src_vni', 'nhid', 'used', 'updated']);

export const parseBridgeFdb: Parser = (record) => {
  const input = toInput(record);
  const fdb: FdbEntry[] = [];
  const problems: ParseProblem[] = [];
  if (input.isJson) {
    const json = itemsFromJson(input, 'not an fdb object', (o, source) => {
      const mac = str(o, 'mac');
      const dev = str(o, 'ifname') ?? deviceOf(input);
      if (mac === undefined || dev === undefined) return undefined;
      // Optional fields are set only when present, in the order the model lists them (see stripUndefined).
      const entry = { mac, dev } as FdbEntry;
      const dst = str(o, 'dst');
      if (dst !== undefined) entry.dst = dst;
      const vni = num(o, 'vni');
      if (vni !== undefined) entry.vni = vni;
      const port = num(o, 'port');
      if (port !== undefined) entry.port = port;
      const master = str(o, 'master');
      if (master !== undefined) entry.master = master;
      const state = str(o, 'state');
      if (state !== undefined) entry.state = state;
      entry.flags = strings(o, 'flags');
      entry.source = source;
      return entry;
    });
    return { state: { fdb: json.items }, problems: json.problems };
  }
  input.lines.forEach((line, i) => {
    const ws = words(line);
    if (ws.length === 0) return;
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(ws[0])) {
      problems.push(lineProblem(input.command, i + 1, line, 'not an fdb line: skipped'));
      return;
    }
    const values: Record<string, string> = {};
    const flags: string[] = [];
    let state: string | undefined;
    for (let k = 1; k < ws.length; k++) {
      if (VALUE_KEYS.has(ws[k]) && k + 1 < ws.length) values[ws[k]] = ws[++k];
      else if (STATES.has(ws[k])) state = ws[k];
      else flags.push(ws[k]);
    }
    const dev = values.dev ?? deviceOf(input);
    if (dev === undefined) {
      problems.push(lineProblem(input.command, i + 1, line, 'fdb line without a device: skipped'));
      return;
    }
    const entry = { mac: ws[0], dev, dst: values.dst, vni: intOrUndefined(values.vni), port: intOrUndefined(values.port), master: values.master, state };
    fdb.push(stripUndefined({ ...entry, flags, source: textSource(input.command, [line]) }));
  });
  return { state: { fdb }, problems };
};
