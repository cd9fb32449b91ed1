/**
 * OVSDB values as the text forms print them (Open vSwitch lib/ovsdb-data.c): `ovs-vsctl show`, and
 * `ovs-vsctl list TABLE` / `ovn-nbctl list TABLE` without `-f json`.
 */
import type { ParseProblem, SourceRef } from './types';
import type { ParseInput } from './parser';
import { lineProblem } from './parser';

export interface OvsdbRow {
  /** Column → decoded value. */
  values: Record<string, unknown>;
  /** The row's lines, when it was printed as text. */
  lines?: string[];
  /** The row's source, when it was printed as JSON: quoted from the output on demand. */
  source?: SourceRef;
}

export function unquote(s: string): string {
  const t = s.trim();
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1).replace(/\\(["\\])/g, '$1') : t;
}

/** `{csum="true", key=flow, remote_ip="192.0.2.1"}` → record. */
export function textMap(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = s.trim().replace(/^\{/, '').replace(/\}$/, '');
  const re = /("(?:[^"\\]|\\.)*"|[\w:.-]+)=("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) out[unquote(m[1])] = unquote(m[2]);
  return out;
}

/** Strings are quoted when they are not plain words, so a bare number or boolean is one. */
function textAtom(s: string): unknown {
  if (s.startsWith('"')) return unquote(s);
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (s === 'true' || s === 'false') return s === 'true';
  return s;
}

/** `[]` and `[a, b]` are sets, `{k=v}` a map, anything else one atom (an optional column's single value). */
export function textDatum(s: string): unknown {
  const t = s.trim();
  if (t.startsWith('{')) return textMap(t);
  if (!t.startsWith('[')) return textAtom(t);
  const items = t.slice(1, -1).match(/"(?:[^"\\]|\\.)*"|[^,\s][^,]*/g) ?? [];
  return items.map((item) => textAtom(item.trim()));
}

/** `list` prints `column : value` lines from the first column; `show` indents everything but the uuid. */
export function looksLikeOvsdbList(stdout: string): boolean {
  return /^_?[a-z]\w*\s*:/m.test(stdout);
}

/** Rows of a `list` printed as text: one `column : value` line per column, a blank line between rows. */
export function readOvsdbText(input: ParseInput): { rows: OvsdbRow[]; problems: ParseProblem[] } {
  const rows: OvsdbRow[] = [];
  const problems: ParseProblem[] = [];
  let row: OvsdbRow | undefined;
  input.lines.forEach((line, i) => {
    if (line.trim() === '') {
      row = undefined;
      return;
    }
    const m = /^(\w+)\s*:\s?(.*)$/.exec(line);
    if (!m) {
      problems.push(lineProblem(input.command, i + 1, line, 'not a "column : value" line: skipped'));
      return;
    }
    if (!row) rows.push((row = { values: {}, lines: [] }));
    row.values[m[1]] = textDatum(m[2]);
    row.lines?.push(line);
  });
  return { rows, problems };
}
