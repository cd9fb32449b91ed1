/**
 * `tc -j qdisc show`, `tc qdisc show`, `tc -j filter show dev X ingress|egress` and `tc filter show dev X ingress`.
 * tc prints a u32 filter as several entries (the hash table, then each key node); only the key nodes carry
 * actions. Entries are grouped by chain, pref, protocol and kind, and a group yields one filter per key node
 * (or one filter when it has none), so the JSON and text forms give the same list.
 */
import type { ParseProblem, Qdisc, TcAction, TcFilter } from './types';
import type { ParseInput, Parser } from './parser';
import { deviceOf, lineProblem, textSource, toInput, itemsFromJson } from './parser';
import { arr, bool, isObject, num, obj, str, type JsonObject } from './json-fields';
import { indentOf, intOrUndefined, valueAfter, words } from './text-lines';
import { stripUndefined } from './ip-link';

// ---------- qdisc ----------

export const parseTcQdisc: Parser = (record) => {
  const input = toInput(record);
  const qdiscs: Qdisc[] = [];
  const problems: ParseProblem[] = [];
  if (input.isJson) {
    const json = itemsFromJson(input, 'not a qdisc object', (o, source) => {
      const kind = str(o, 'kind');
      const dev = str(o, 'dev') ?? deviceOf(input);
      if (kind === undefined || dev === undefined) return undefined;
      const parent = str(o, 'parent') ?? (bool(o, 'root') === true ? 'root' : undefined);
      return stripUndefined({ dev, kind, handle: str(o, 'handle'), parent, source });
    });
    return { state: { qdiscs: json.items }, problems: json.problems };
  }
  input.lines.forEach((line, i) => {
    const ws = words(line);
    if (ws.length === 0 || /^\s/.test(line)) return;
    const dev = valueAfter(ws, 'dev') ?? deviceOf(input);
    if (ws[0] !== 'qdisc' || ws.length < 3 || dev === undefined) {
      problems.push(lineProblem(input.command, i + 1, line, 'not a qdisc line: skipped'));
      return;
    }
    const parent = ws.includes('root') ? 'root' : valueAfter(ws, 'parent');
    qdiscs.push(stripUndefined({ dev, kind: ws[1], handle: ws[2], parent, source: textSource(input.command, [line]) }));
  });
  return { state: { qdiscs }, problems };
};

// ---------- filter ----------

interface FilterEntry {
  filter: TcFilter;
  chain?: number;
  /** A u32 key node, a bpf program or anything with actions: a rule rather than a table header. */
  isRule: boolean;
}

export const parseTcFilter: Parser = (record) => {
  const input = toInput(record);
  const { entries, problems } = input.isJson ? entriesFromJson(input) : entriesFromText(input);
  return { state: { tcFilters: collapse(entries) }, problems };
};

function hookOf(input: ParseInput, parent: string | undefined, said?: 'ingress' | 'egress'): 'ingress' | 'egress' {
  // The filter's own parent wins over the hook the command asked for: with the legacy ingress qdisc,
  // `tc filter show dev X egress` lists the ingress filters (parent ffff:) again.
  // clsact: ffff:fff2 is ingress, ffff:fff3 egress; the ingress qdisc's filters hang at ffff:.
  if (parent === 'ffff:fff3') return 'egress';
  if (parent === 'ffff:' || parent === 'ffff:fff2') return 'ingress';
  const fromCommand = input.params.hook ?? input.argv.find((a) => a === 'ingress' || a === 'egress');
  if (fromCommand === 'ingress' || fromCommand === 'egress') return fromCommand;
  if (said) return said;
  return 'egress';
}

const U32_NODE = /^[0-9a-f]*:[0-9a-f]*:[0-9a-f]+$/i;

function entriesFromJson(input: ParseInput): { entries: FilterEntry[]; problems: ParseProblem[] } {
  const { items, problems } = itemsFromJson(input, 'not a filter object', (o, source): FilterEntry | undefined => {
    const kind = str(o, 'kind');
    const dev = str(o, 'dev') ?? deviceOf(input);
    if (kind === undefined || dev === undefined) return undefined;
    const options = obj(o, 'options') ?? {};
    const said = bool(o, 'ingress') === true ? 'ingress' : bool(o, 'egress') === true ? 'egress' : undefined;
    const actions = arr(options, 'actions').filter(isObject).map(actionFromJson);
    const bpfName = str(options, 'bpf_name') ?? str(obj(options, 'prog') ?? {}, 'name');
    const fh = str(options, 'fh');
    // Optional fields are set only when present, in the order the model lists them (see stripUndefined).
    const filter = { dev, hook: hookOf(input, str(o, 'parent'), said), kind } as TcFilter;
    const protocol = str(o, 'protocol');
    if (protocol !== undefined) filter.protocol = protocol;
    const pref = num(o, 'pref');
    if (pref !== undefined) filter.pref = pref;
    if (bpfName !== undefined) filter.bpfName = bpfName;
    filter.actions = actions;
    filter.source = source;
    const isRule = actions.length > 0 || bpfName !== undefined || (fh !== undefined && U32_NODE.test(fh)) || (kind !== 'u32' && 'handle' in options);
    return { filter, chain: num(o, 'chain'), isRule };
  });
  return { entries: items, problems };
}

function actionFromJson(a: JsonObject): TcAction {
  const mirred = str(a, 'mirred_action');
  const direction = str(a, 'direction');
  return stripUndefined({
    kind: str(a, 'kind') ?? 'unknown',
    mirredAction: mirred === 'redirect' || mirred === 'mirror' ? mirred : undefined,
    direction: direction === 'egress' || direction === 'ingress' ? direction : undefined,
    toDev: str(a, 'to_dev'),
  });
}

/** Words tc prints after a bpf filter's handle: flags, and keywords followed by their value. The other word is the name. */
const BPF_FLAGS = new Set(['direct-action', 'not_in_hw', 'in_hw', 'skip_hw', 'skip_sw', 'jited']);
const BPF_VALUED = new Set(['in_hw_count', 'id', 'name', 'tag', 'classid', 'flowid']);

/** `handle 0x1 flowid :1 bpf_host.o:[from-netdev] direct-action ... id 7 name cil_from_netdev tag ...`. */
function bpfNameFromText(ws: string[], handleAt: number): string | undefined {
  for (let i = handleAt + 2; i < ws.length; i++) {
    if (BPF_VALUED.has(ws[i])) i++;
    else if (!BPF_FLAGS.has(ws[i])) return ws[i];
  }
  return valueAfter(ws, 'name');
}

function entriesFromText(input: ParseInput): { entries: FilterEntry[]; problems: ParseProblem[] } {
  const entries: FilterEntry[] = [];
  const problems: ParseProblem[] = [];
  input.lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const last = entries[entries.length - 1];
    if (indentOf(line) > 0 && last) {
      last.filter.source?.lines.push(line);
      const action = actionFromText(line);
      if (action) {
        last.filter.actions.push(action);
        last.isRule = true;
      }
      return;
    }
    const entry = /^filter\s/.test(line) ? filterFromText(input, line) : undefined;
    if (entry) entries.push(entry);
    else problems.push(lineProblem(input.command, i + 1, line, 'not a filter line: skipped'));
  });
  return { entries, problems };
}

function filterFromText(input: ParseInput, line: string): FilterEntry | undefined {
  const ws = words(line);
  const prefAt = ws.indexOf('pref');
  const kind = prefAt >= 0 ? ws[prefAt + 2] : undefined;
  const dev = valueAfter(ws, 'dev') ?? deviceOf(input);
  if (kind === undefined || dev === undefined) return undefined;
  const said = ws.includes('ingress') ? 'ingress' : ws.includes('egress') ? 'egress' : undefined;
  const parent = ws.includes('root') ? 'root' : valueAfter(ws, 'parent');
  const handleAt = ws.indexOf('handle');
  const handle = handleAt >= 0 ? ws[handleAt + 1] : undefined;
  const bpfName = kind === 'bpf' && handle !== undefined ? bpfNameFromText(ws, handleAt) : undefined;
  const fh = valueAfter(ws, 'fh');
  const filter: TcFilter = stripUndefined({
    dev,
    hook: hookOf(input, parent, said),
    kind,
    protocol: valueAfter(ws, 'protocol'),
    pref: intOrUndefined(ws[prefAt + 1]),
    bpfName,
    actions: [],
    source: textSource(input.command, [line]),
  });
  const isRule = bpfName !== undefined || (fh !== undefined && U32_NODE.test(fh)) || (kind !== 'u32' && handle !== undefined);
  return { filter, chain: intOrUndefined(valueAfter(ws, 'chain')), isRule };
}

/** `action order 1: mirred (Egress Redirect to device vxlan1) stolen`, `action order 2: gact action drop`. */
function actionFromText(line: string): TcAction | undefined {
  const m = /action order \d+:\s+(\S+)(.*)$/.exec(line);
  if (!m) return undefined;
  const [, kind, rest] = m;
  const mirred = /\((Egress|Ingress) (Redirect|Mirror) to device (\S+?)\)/.exec(rest);
  if (kind !== 'mirred' || !mirred) return { kind };
  return {
    kind,
    mirredAction: mirred[2] === 'Redirect' ? 'redirect' : 'mirror',
    direction: mirred[1] === 'Egress' ? 'egress' : 'ingress',
    toDev: mirred[3],
  };
}

function collapse(entries: FilterEntry[]): TcFilter[] {
  const groups = new Map<string, FilterEntry[]>();
  for (const e of entries) {
    const f = e.filter;
    const key = [f.dev, f.hook, e.chain, f.pref, f.protocol, f.kind].join('|');
    const group = groups.get(key) ?? [];
    group.push(e);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap((group) => {
    const rules = group.filter((e) => e.isRule).map((e) => e.filter);
    if (rules.length > 0) return rules;
    const first = group[0].filter;
    const lines = group.flatMap((e) => e.filter.source?.lines ?? []);
    return [{ ...first, source: first.source ? { command: first.source.command, lines } : undefined }];
  });
}
