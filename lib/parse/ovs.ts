/**
 * Open vSwitch: `ovs-vsctl -f json list Open_vSwitch|Bridge|Port|Interface` (OVSDB JSON encoding: empty optional
 * = ["set",[]], maps = ["map",[[k,v],...]], references = ["uuid","..."]), the text `ovs-vsctl show`, and
 * `ovs-ofctl dump-ports BRIDGE`.
 */
import type { OvsBridge, OvsInterface, OvsPort, OvsPortStats, OvsState, ParseProblem, SourceRef } from './types';
import type { ParseInput, ParseResult, Parser } from './parser';
import { lineProblem, printedSource, textSource, toInput, type PrintedTexts, jsonExcerpt } from './parser';
import { elementSpans, memberAt, readJsonValues, type JsonTexts } from './json-values';
import { arr, isObject, scalarText, strings } from './json-fields';
import { indentOf } from './text-lines';
import { looksLikeOvsdbList, readOvsdbText, textMap, unquote, type OvsdbRow } from './ovsdb-text';
import { stripUndefined } from './ip-link';

// ---------- OVSDB JSON ----------

/** Decodes one OVSDB datum: sets to arrays, maps to records, uuids to their string. */
export function decodeOvsdb(v: unknown): unknown {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string') return v;
  const [tag, body] = v as [string, unknown];
  if (tag === 'uuid' || tag === 'named-uuid') return body;
  if (tag === 'set' && Array.isArray(body)) return body.map(decodeOvsdb);
  if (tag === 'map' && Array.isArray(body)) {
    const out: Record<string, string> = {};
    for (const pair of body) {
      if (!Array.isArray(pair) || pair.length !== 2) continue;
      const key = scalarText(decodeOvsdb(pair[0]));
      const value = scalarText(decodeOvsdb(pair[1]));
      if (key !== undefined && value !== undefined) out[key] = value;
    }
    return out;
  }
  return v;
}

/**
 * Rows of an `ovs-vsctl [-f json] list` / `ovn-nbctl [-f json] list` table, or problems when the shape is not one.
 * Of a JSON table only the `columns` asked for are decoded (an Interface row has some fifty); evidence quotes the
 * whole row from the output all the same. Rows printed as text hold every column.
 */
export function readOvsdbTable(input: ParseInput, columns: readonly string[]): { rows: OvsdbRow[]; problems: ParseProblem[] } {
  if (!input.isJson) return readOvsdbText(input);
  const { values, problems, texts } = readJsonValues(input.stdout, input.command);
  const rows: OvsdbRow[] = [];
  for (const [index, { value, line }] of values.entries()) {
    const headings = isObject(value) ? strings(value, 'headings') : [];
    if (!isObject(value) || headings.length === 0) {
      problems.push({
        command: input.command,
        line,
        text: jsonExcerpt(value),
        message: 'not an OVSDB table ({"data":[...],"headings":[...]})',
      });
      continue;
    }
    const table = new PrintedTable(texts, index, headings);
    const wanted = columns.flatMap((name) => {
      const at = headings.lastIndexOf(name);
      return at < 0 ? [] : [{ name, at }];
    });
    arr(value, 'data').forEach((row, i) => {
      if (!Array.isArray(row)) return;
      const decoded: Record<string, unknown> = {};
      for (const { name, at } of wanted) decoded[name] = decodeOvsdb(row[at]);
      rows.push({ values: decoded, source: printedSource(input.command, table, i) });
    });
  }
  return { rows, problems };
}

/** A row's columns by heading, as printed: what evidence quotes for a fact read from a table printed as JSON. */
function rowColumns(headings: readonly string[], row: unknown[]): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  headings.forEach((h, i) => {
    columns[h] = row[i];
  });
  return columns;
}

/**
 * One table printed as JSON. Its rows are cut from the output and re-read only when a source is read: a node's
 * Interface table has a row of some fifty columns per port, and copying every row up front would double what
 * the parsed state holds.
 */
class PrintedTable implements PrintedTexts {
  #text: string | undefined;
  #rows: number[] | undefined;

  constructor(
    private readonly texts: JsonTexts,
    private readonly index: number,
    private readonly headings: readonly string[],
  ) {}

  /** The compact JSON of the `row`-th element of the table's data, as a record of its columns. */
  textOf(row: number): string {
    if (this.#text === undefined || this.#rows === undefined) {
      this.#text = this.texts.textOf(this.index);
      const data = memberAt(this.#text, 0, 'data');
      this.#rows = data >= 0 ? elementSpans(this.#text, data) : [];
    }
    const start = this.#rows[2 * row];
    const end = this.#rows[2 * row + 1];
    const value: unknown = start === undefined || end === undefined ? undefined : JSON.parse(this.#text.slice(start, end));
    return JSON.stringify(rowColumns(this.headings, Array.isArray(value) ? value : []));
  }
}

export function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

export function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(scalarText).filter((x): x is string => x !== undefined);
  const one = scalarText(v);
  return one === undefined ? [] : [one];
}

export function map(v: unknown): Record<string, string> {
  return isObject(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
}

function bridgeFromRow({ values: r }: OvsdbRow): OvsBridge | undefined {
  const name = text(r.name);
  if (name === undefined) return undefined;
  return stripUndefined({
    uuid: text(r._uuid),
    name,
    ports: list(r.ports),
    datapathType: text(r.datapath_type) || undefined,
    failMode: text(r.fail_mode),
    externalIds: map(r.external_ids),
  });
}

function portFromRow({ values: r }: OvsdbRow): OvsPort | undefined {
  const name = text(r.name);
  if (name === undefined) return undefined;
  return stripUndefined({ uuid: text(r._uuid), name, interfaces: list(r.interfaces), tag: int(r.tag) });
}

/** A row's source: its lines when printed as text, else its columns as printed JSON. */
export function rowSource(command: string, row: OvsdbRow): SourceRef {
  return row.lines ? textSource(command, row.lines) : (row.source ?? textSource(command, []));
}

function interfaceFromRow(row: OvsdbRow, command: string): OvsInterface | undefined {
  const r = row.values;
  const name = text(r.name);
  if (name === undefined) return undefined;
  return stripUndefined({
    uuid: text(r._uuid),
    name,
    type: text(r.type) ?? '',
    ofport: int(r.ofport) ?? null,
    error: text(r.error),
    externalIds: map(r.external_ids),
    options: map(r.options),
    macInUse: text(r.mac_in_use),
    mtu: int(r.mtu),
    linkState: text(r.link_state),
    adminState: text(r.admin_state),
    ifindex: int(r.ifindex),
    source: rowSource(command, row),
  });
}

type OvsTable = 'Open_vSwitch' | 'Bridge' | 'Port' | 'Interface';

/** The columns each table's reader above uses. */
const OVS_COLUMNS: Record<OvsTable, readonly string[]> = {
  Open_vSwitch: ['external_ids', 'ovs_version'],
  Bridge: ['_uuid', 'name', 'ports', 'datapath_type', 'fail_mode', 'external_ids'],
  Port: ['_uuid', 'name', 'interfaces', 'tag'],
  Interface: ['_uuid', 'name', 'type', 'ofport', 'error', 'external_ids', 'options', 'mac_in_use', 'mtu', 'link_state', 'admin_state', 'ifindex'],
};

/** One parser per table: the catalog lists each table as its own command. */
export function ovsTableParser(table: OvsTable): Parser {
  return (record) => {
    const input = toInput(record);
    if (!input.isJson && !looksLikeOvsdbList(input.stdout)) return parseOvsShow(record);
    const { rows, problems } = readOvsdbTable(input, OVS_COLUMNS[table]);
    const ovs: Partial<OvsState> = {};
    if (table === 'Open_vSwitch') {
      const row = rows[0]?.values ?? {};
      ovs.externalIds = map(row.external_ids);
      const version = text(row.ovs_version);
      if (version !== undefined) ovs.version = version;
    }
    if (table === 'Bridge') ovs.bridges = rows.map(bridgeFromRow).filter((b): b is OvsBridge => b !== undefined);
    if (table === 'Port') ovs.ports = rows.map(portFromRow).filter((p): p is OvsPort => p !== undefined);
    if (table === 'Interface') ovs.interfaces = rows.map((r) => interfaceFromRow(r, input.command)).filter((i): i is OvsInterface => i !== undefined);
    return { state: { ovs }, problems };
  };
}

// ---------- ovs-vsctl show ----------

interface ShowCursor {
  bridge?: { item: OvsBridge; indent: number };
  port?: { item: OvsPort; indent: number };
  iface?: { item: OvsInterface; indent: number; lines: string[] };
}

export const parseOvsShow: Parser = (record) => {
  const input = toInput(record);
  const state: OvsState = { bridges: [], ports: [], interfaces: [], externalIds: {} };
  const problems: ParseProblem[] = [];
  const at: ShowCursor = {};
  input.lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const indent = indentOf(line);
    if (indent === 0) {
      if (!/^[0-9a-f-]{36}$/i.test(trimmed)) problems.push(lineProblem(input.command, i + 1, line, 'not an ovs-vsctl show line: skipped'));
      return;
    }
    if (at.iface && indent <= at.iface.indent) at.iface = undefined;
    if (at.port && indent <= at.port.indent) at.port = undefined;
    if (at.bridge && indent <= at.bridge.indent) at.bridge = undefined;
    const entity = /^(Bridge|Port|Interface)\s+(.+)$/.exec(trimmed);
    if (entity) {
      openEntity(state, at, entity[1], unquote(entity[2]), indent, line, input.command);
      return;
    }
    const kv = /^([\w-]+):\s*(.*)$/.exec(trimmed);
    if (kv) applyShowValue(state, at, kv[1], kv[2], line);
  });
  return { state: { ovs: state }, problems };
};

function openEntity(state: OvsState, at: ShowCursor, what: string, name: string, indent: number, line: string, command: string): void {
  if (what === 'Bridge') {
    const item: OvsBridge = { name, ports: [], externalIds: {} };
    state.bridges.push(item);
    at.bridge = { item, indent };
  } else if (what === 'Port') {
    const item: OvsPort = { name, interfaces: [] };
    state.ports.push(item);
    at.bridge?.item.ports.push(name);
    at.port = { item, indent };
  } else {
    const lines = [line];
    // `ovs-vsctl show` does not print ofport; null here means "not stated", see OvsInterface.
    const item: OvsInterface = { name, type: '', ofport: null, externalIds: {}, options: {}, source: textSource(command, lines) };
    state.interfaces.push(item);
    at.port?.item.interfaces.push(name);
    at.iface = { item, indent, lines };
  }
}

function applyShowValue(state: OvsState, at: ShowCursor, key: string, value: string, line: string): void {
  if (at.iface) {
    at.iface.lines.push(line);
    const iface = at.iface.item;
    if (key === 'type') iface.type = unquote(value);
    else if (key === 'error') iface.error = unquote(value);
    else if (key === 'options') iface.options = textMap(value);
    else if (key === 'mac_in_use') iface.macInUse = unquote(value);
  } else if (at.port) {
    const tag = Number(value);
    if (key === 'tag' && Number.isInteger(tag)) at.port.item.tag = tag;
  } else if (at.bridge) {
    if (key === 'fail_mode') at.bridge.item.failMode = unquote(value);
    if (key === 'datapath_type') at.bridge.item.datapathType = unquote(value);
  } else if (key === 'ovs_version') {
    state.version = unquote(value);
  }
}

// ---------- ovs-ofctl dump-ports ----------

function counters(s: string): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const m of s.matchAll(/(\w+)=([^,\s]+)/g)) out[m[1]] = /^\d+$/.test(m[2]) ? Number(m[2]) : undefined;
  return out;
}

export const parseOvsDumpPorts: Parser = (record): ParseResult => {
  const input = toInput(record);
  const bridge = input.params.bridge ?? input.argv[input.argv.indexOf('dump-ports') + 1];
  const portStats: OvsPortStats[] = [];
  const problems: ParseProblem[] = [];
  let portIndent = 0;
  input.lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || /^OFPST_PORT reply/.test(trimmed)) return;
    const port = /^port\s+("?)([^:"]+)\1:\s*rx\s+(.*)$/.exec(trimmed);
    const last = portStats[portStats.length - 1];
    if (port) {
      portIndent = indentOf(line);
      const rx = counters(port[3]);
      portStats.push(
        stripUndefined({
          bridge,
          port: port[2].trim(),
          rxPackets: rx.pkts,
          rxBytes: rx.bytes,
          rxDropped: rx.drop,
          rxErrors: rx.errs,
          source: textSource(input.command, [line]),
        }),
      );
    } else if (/^tx\s/.test(trimmed) && last) {
      const tx = counters(trimmed.slice(3));
      Object.assign(last, stripUndefined({ txPackets: tx.pkts, txBytes: tx.bytes, txDropped: tx.drop, txErrors: tx.errs }));
      last.source?.lines.push(line);
    } else if (last && (indentOf(line) > portIndent || /^duration=/.test(trimmed))) {
      // duration, and with OpenFlow 1.4+ the rfc2819 histogram and custom counters: more about the same port.
      last.source?.lines.push(line);
    } else problems.push(lineProblem(input.command, i + 1, line, 'not an ovs-ofctl dump-ports line: skipped'));
  });
  return { state: { ovs: { portStats } }, problems };
};
