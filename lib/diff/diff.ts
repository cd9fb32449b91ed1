/**
 * What changed between two snapshots (e.g. before and after a fix). Elements are matched by their stable
 * topology ids, findings by rule + the elements they mark, so the same fault in two captures lines up.
 */
import type { Finding } from '@/lib/diagnose/types';
import type { SnapshotMeta, SnapshotView } from '@/lib/snapshot/types';
import type { TopoEdge, TopoNode } from '@/lib/topology/types';
import { counterFindings } from './counters';

export interface Change<T> {
  /** Element id, or the finding key for findings. */
  id: string;
  before: T;
  after: T;
  /** Dotted paths of the fields that differ, e.g. "marks", "iface.mac". */
  fields: string[];
}

export interface DiffSection<T> {
  added: T[];
  removed: T[];
  changed: Change<T>[];
}

export interface SnapshotDiff {
  a: { meta: SnapshotMeta; rulesVersion: string };
  b: { meta: SnapshotMeta; rulesVersion: string };
  nodes: DiffSection<TopoNode>;
  edges: DiffSection<TopoEdge>;
  findings: DiffSection<Finding>;
  /**
   * What the traffic counters say happened between the captures (lib/diff/counters.ts), read from the earlier
   * snapshot to the later whichever is shown first; `seconds` apart when both times are known.
   */
  between: { seconds?: number; findings: Finding[] };
  summary: { nodes: DiffCounts; edges: DiffCounts; findings: DiffCounts };
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
}

/** Keys whose value is itself compared field by field, so that a change reads "iface.mac" rather than "iface". */
const NESTED_KEYS: ReadonlySet<string> = new Set(['iface', 'bridge', 'ovsInterface', 'pod']);

/** JSON with object keys sorted, so that equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Traffic counters differ between any two captures of a healthy device and say nothing about its state. */
const COUNTER_KEYS: ReadonlySet<string> = new Set(['stats']);

/** The quoted output line of a value changes with the counters it carries: it counts only beside a real change. */
const QUOTE_KEYS: ReadonlySet<string> = new Set(['source']);

export function changedFields(before: unknown, after: unknown, prefix = ''): string[] {
  const a = asRecord(before);
  const b = asRecord(after);
  const nested = prefix !== '';
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !(nested && COUNTER_KEYS.has(k))).sort();
  const fields: string[] = [];
  const quotes: string[] = [];
  for (const key of keys) {
    if (canonicalJson(a[key]) === canonicalJson(b[key])) continue;
    const bothObjects = Object.keys(asRecord(a[key])).length > 0 && Object.keys(asRecord(b[key])).length > 0;
    if (!nested && NESTED_KEYS.has(key) && bothObjects) fields.push(...changedFields(a[key], b[key], `${key}.`));
    else if (nested && QUOTE_KEYS.has(key)) quotes.push(`${prefix}${key}`);
    else fields.push(`${prefix}${key}`);
  }
  return fields.length > 0 ? [...fields, ...quotes].sort() : fields;
}

/** A finding's identity across snapshots: its rule and the sorted set of elements it marks. */
export function findingKey(finding: Finding): string {
  return `${finding.rule}|${[...finding.elements].sort().join(',')}`;
}

function keyed<T>(items: T[], key: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const base = key(item);
    let k = base;
    for (let n = 2; map.has(k); n += 1) k = `${base}#${n}`;
    map.set(k, item);
  }
  return map;
}

export function diffBy<T>(before: T[], after: T[], key: (item: T) => string): DiffSection<T> {
  const a = keyed(before, key);
  const b = keyed(after, key);
  const section: DiffSection<T> = { added: [], removed: [], changed: [] };
  for (const [k, item] of b) if (!a.has(k)) section.added.push(item);
  for (const [k, item] of a) {
    const next = b.get(k);
    if (next === undefined) {
      section.removed.push(item);
      continue;
    }
    const fields = changedFields(item, next);
    if (fields.length > 0) section.changed.push({ id: k, before: item, after: next, fields });
  }
  return section;
}

function counts<T>(section: DiffSection<T>): DiffCounts {
  return { added: section.added.length, removed: section.removed.length, changed: section.changed.length };
}

function between(a: SnapshotView, b: SnapshotView): SnapshotDiff['between'] {
  const ta = Date.parse(a.meta.createdAt);
  const tb = Date.parse(b.meta.createdAt);
  const [earlier, later] = tb < ta ? [b, a] : [a, b];
  const seconds = Number.isNaN(ta) || Number.isNaN(tb) ? undefined : Math.abs(tb - ta) / 1000;
  return { ...(seconds === undefined ? {} : { seconds }), findings: counterFindings(earlier.topology, later.topology, seconds) };
}

export function diffViews(a: SnapshotView, b: SnapshotView): SnapshotDiff {
  const nodes = diffBy(a.topology.nodes, b.topology.nodes, (n) => n.id);
  const edges = diffBy(a.topology.edges, b.topology.edges, (e) => e.id);
  const findings = diffBy(a.findings, b.findings, findingKey);
  return {
    a: { meta: a.meta, rulesVersion: a.rulesVersion ?? a.meta.rulesVersion },
    b: { meta: b.meta, rulesVersion: b.rulesVersion ?? b.meta.rulesVersion },
    nodes,
    edges,
    findings,
    between: between(a, b),
    summary: { nodes: counts(nodes), edges: counts(edges), findings: counts(findings) },
  };
}
