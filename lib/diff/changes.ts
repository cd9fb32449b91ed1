/**
 * A snapshot diff as rows for the side list: findings resolved, new and changed, and elements added, removed
 * and changed, each change with its fields as old → new.
 */
import type { Finding } from '@/lib/diagnose/types';
import { canonicalJson, findingKey, type Change, type SnapshotDiff } from '@/lib/diff/diff';
import type { TopoEdge, TopoNode, Topology } from '@/lib/topology/types';
import type { DiffStatus } from './graph';

export interface FieldChange {
  /** Dotted path, e.g. "iface.mac". */
  field: string;
  before: string;
  after: string;
  /**
   * The value is the command output a fact was read from (a SourceRef): it changes along with the facts, and is
   * long, so it is shown folded after them.
   */
  output?: boolean;
}

/** Long values (objects, evidence lines) are cut here; the full value is one click away in the inspector. */
export const MAX_VALUE_CHARS = 160;
/** Output lines are shown whole up to this length (an `ip -s -s -j link` entry is about 2 kB). */
export const MAX_OUTPUT_CHARS = 8000;

export function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.length > 0 ? value.join(', ') : '(empty)';
  const json = canonicalJson(value);
  return json.length > MAX_VALUE_CHARS ? `${json.slice(0, MAX_VALUE_CHARS - 1)}…` : json;
}

interface OutputRef {
  command: string;
  lines: string[];
}

function isOutputRef(value: unknown): value is OutputRef {
  if (typeof value !== 'object' || value === null) return false;
  const { command, lines } = value as Partial<OutputRef>;
  return typeof command === 'string' && Array.isArray(lines) && lines.every((l) => typeof l === 'string');
}

function formatOutput(value: unknown): string {
  if (!isOutputRef(value)) return formatValue(value);
  const text = [`$ ${value.command}`, ...value.lines].join('\n');
  return text.length > MAX_OUTPUT_CHARS ? `${text.slice(0, MAX_OUTPUT_CHARS - 1)}…` : text;
}

/** Facts first, in the diff's order, then the output they were read from. */
export function fieldChanges<T>(change: Change<T>): FieldChange[] {
  const rows = change.fields.map((field): FieldChange => {
    const before = valueAt(change.before, field);
    const after = valueAt(change.after, field);
    if (isOutputRef(before) || isOutputRef(after)) return { field, before: formatOutput(before), after: formatOutput(after), output: true };
    return { field, before: formatValue(before), after: formatValue(after) };
  });
  return [...rows.filter((r) => !r.output), ...rows.filter((r) => r.output)];
}

export interface ElementRow {
  id: string;
  status: DiffStatus;
  label: string;
  /** Where and what: "host · namespace · kind", or the edge kind. */
  detail: string;
  fields: FieldChange[];
}

function nodeDetail(node: TopoNode): string {
  const kind = node.iface?.kind ?? node.kind;
  if (node.kind === 'host') return node.role ? `host · ${node.role}` : 'host';
  return [node.host, node.netns ?? (node.kind === 'interface' ? 'root' : undefined), kind].filter(Boolean).join(' · ');
}

function edgeRow(edge: TopoEdge, labelOf: (id: string) => string): Pick<ElementRow, 'label' | 'detail'> {
  const detail = edge.label ? `${edge.kind} · ${edge.label}` : edge.kind;
  return { label: `${labelOf(edge.source)} ${edge.directed ? '→' : '—'} ${labelOf(edge.target)}`, detail };
}

/** Every element the diff names: changed first (they carry field changes), then added, then removed. */
export function elementRows(diff: Pick<SnapshotDiff, 'nodes' | 'edges'>, union: Topology): ElementRow[] {
  const nodes = new Map(union.nodes.map((n) => [n.id, n]));
  const labelOf = (id: string) => {
    const node = nodes.get(id);
    return node ? (node.host === '' ? node.label : `${node.label} (${node.host})`) : id;
  };
  const nodeRow = (node: TopoNode, status: DiffStatus, fields: FieldChange[] = []): ElementRow => ({
    id: node.id,
    status,
    label: node.label,
    detail: nodeDetail(node),
    fields,
  });
  const edge = (e: TopoEdge, status: DiffStatus, fields: FieldChange[] = []): ElementRow => ({ id: e.id, status, fields, ...edgeRow(e, labelOf) });
  return [
    ...diff.nodes.changed.map((c) => nodeRow(c.after, 'changed', fieldChanges(c))),
    ...diff.edges.changed.map((c) => edge(c.after, 'changed', fieldChanges(c))),
    ...diff.nodes.added.map((n) => nodeRow(n, 'added')),
    ...diff.edges.added.map((e) => edge(e, 'added')),
    ...diff.nodes.removed.map((n) => nodeRow(n, 'removed')),
    ...diff.edges.removed.map((e) => edge(e, 'removed')),
  ];
}

/** A finding present only before is resolved; only after, new; in both with other fields, changed. */
export type FindingStatus = 'resolved' | 'new' | 'changed';
export const FINDING_STATUSES: readonly FindingStatus[] = ['resolved', 'new', 'changed'];
export const FINDING_BADGE: Record<FindingStatus, string> = { resolved: '✓', new: '+', changed: '~' };

export interface FindingRow {
  key: string;
  status: FindingStatus;
  /** The later version for a changed finding, the one that exists otherwise. */
  finding: Finding;
  fields: FieldChange[];
}

export function findingRows(diff: Pick<SnapshotDiff, 'findings'>): FindingRow[] {
  const { added, removed, changed } = diff.findings;
  return [
    ...removed.map((finding): FindingRow => ({ key: findingKey(finding), status: 'resolved', finding, fields: [] })),
    ...added.map((finding): FindingRow => ({ key: findingKey(finding), status: 'new', finding, fields: [] })),
    ...changed.map((c): FindingRow => ({ key: c.id, status: 'changed', finding: c.after, fields: fieldChanges(c) })),
  ];
}

/** Ids of the elements that the findings in the diff name, kept on the graph when only changes are shown. */
export function findingElements(rows: FindingRow[]): string[] {
  return [...new Set(rows.flatMap((row) => row.finding.elements))];
}
