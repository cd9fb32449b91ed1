'use client';

import type { ReactNode } from 'react';
import type { Finding } from '@/lib/diagnose/types';
import { DIFF_STATUSES } from '@/lib/diff/graph';
import { FINDING_STATUSES, type ElementRow, type FindingRow } from '@/lib/diff/changes';
import { DIFF_CLASSES, DiffChip, FINDING_CLASSES, FindingStatusChip } from './DiffBadge';
import { FieldChanges } from './FieldChanges';
import { SEVERITY_CLASSES, SeverityChip } from './SeverityChip';

/** Rows beyond this per group are counted, not drawn: "Changes only" on the graph narrows a big diff. */
export const MAX_ROWS_PER_GROUP = 200;

const FINDING_HEADING = { resolved: 'Resolved', new: 'New', changed: 'Changed' } as const;
const ELEMENT_HEADING = { changed: 'Changed', added: 'Added', removed: 'Removed' } as const;

function Group<R>({ heading, rows, render }: { heading: string; rows: R[]; render(row: R): ReactNode }) {
  if (rows.length === 0) return null;
  const hidden = rows.length - MAX_ROWS_PER_GROUP;
  return (
    <section aria-label={heading}>
      <h3 className="px-3 pt-2 text-xs font-semibold uppercase text-slate-500">
        {heading} ({rows.length})
      </h3>
      <ul>{rows.slice(0, MAX_ROWS_PER_GROUP).map(render)}</ul>
      {hidden > 0 && <p className="px-3 pb-2 text-xs text-slate-500">and {hidden} more not listed</p>}
    </section>
  );
}

const ROW_BUTTON = 'w-full px-3 py-2 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800';

export function FindingChanges({ rows, active, onOpen }: { rows: FindingRow[]; active?: string; onOpen(row: FindingRow): void }) {
  if (rows.length === 0) return <p className="p-3 text-sm text-slate-500">The same findings in both snapshots.</p>;
  return (
    <div data-testid="diff-findings">
      {FINDING_STATUSES.map((status) => (
        <Group
          key={status}
          heading={`${FINDING_HEADING[status]} findings`}
          rows={rows.filter((r) => r.status === status)}
          render={(row) => (
            <li key={row.key} className={`my-1 border-l-4 ${FINDING_CLASSES[status].border}`}>
              <button
                type="button"
                className={`${ROW_BUTTON} ${active === row.key ? 'bg-amber-100 dark:bg-amber-900/40' : ''}`}
                data-testid="diff-finding"
                data-status={status}
                data-rule={row.finding.rule}
                aria-pressed={active === row.key}
                onClick={() => onOpen(row)}
              >
                <FindingStatusChip status={status} /> <SeverityChip severity={row.finding.severity} /> <span className="font-medium">{row.finding.title}</span>
                <span className="mono block text-slate-500">{row.finding.rule}</span>
              </button>
              {row.fields.length > 0 && <FieldChanges fields={row.fields} />}
            </li>
          )}
        />
      ))}
    </div>
  );
}

export function ElementChanges({ rows, selected, onSelect }: { rows: ElementRow[]; selected?: string; onSelect(id: string): void }) {
  if (rows.length === 0) return <p className="p-3 text-sm text-slate-500">No device or link differs between the two snapshots.</p>;
  return (
    <div data-testid="diff-elements">
      {DIFF_STATUSES.map((status) => (
        <Group
          key={status}
          heading={ELEMENT_HEADING[status]}
          rows={rows.filter((r) => r.status === status)}
          render={(row) => (
            <li key={row.id} className={`my-1 border-l-4 ${DIFF_CLASSES[status].border}`}>
              <button
                type="button"
                className={`${ROW_BUTTON} ${row.id === selected ? 'bg-amber-100 dark:bg-amber-900/40' : ''}`}
                data-testid="diff-element"
                data-id={row.id}
                data-status={status}
                aria-current={row.id === selected ? 'true' : undefined}
                onClick={() => onSelect(row.id)}
              >
                <DiffChip status={status} /> <span className="break-all font-medium">{row.label}</span>
                <span className="block text-xs text-slate-500">{row.detail}</span>
              </button>
              {row.fields.length > 0 && <FieldChanges fields={row.fields} />}
            </li>
          )}
        />
      ))}
    </div>
  );
}

/** What the counters say happened between the captures: each finding with why and what to run, its devices a click away. */
export function CounterFindings({ findings, seconds, active, onOpen }: { findings: Finding[]; seconds?: number; active?: string; onOpen(finding: Finding): void }) {
  const apart = seconds === undefined ? '' : ` (${Math.round(seconds)} s apart)`;
  if (findings.length === 0) {
    return <p className="p-3 text-sm text-slate-500">No tunnel went one way and no drop counter grew between the captures{apart}.</p>;
  }
  return (
    <ul data-testid="diff-between">
      {findings.map((finding) => {
        const key = finding.elements.join(',');
        return (
          <li key={`${finding.rule}|${key}`} className={`my-1 border-l-4 ${SEVERITY_CLASSES[finding.severity].border}`}>
            <button
              type="button"
              className={`${ROW_BUTTON} ${active === key ? 'bg-amber-100 dark:bg-amber-900/40' : ''}`}
              data-testid="counter-finding"
              data-rule={finding.rule}
              aria-pressed={active === key}
              onClick={() => onOpen(finding)}
            >
              <SeverityChip severity={finding.severity} /> <span className="font-medium">{finding.title}</span>
              <span className="mono block text-slate-500">{finding.rule}</span>
            </button>
            <p className="px-3 pb-1 text-xs text-slate-600 dark:text-slate-300">{finding.explanation}</p>
            {finding.fix && finding.fix.length > 0 && (
              <pre className="mono mx-3 mb-2 overflow-x-auto whitespace-pre-wrap rounded bg-slate-100 p-2 text-xs dark:bg-slate-800" data-testid="counter-fix">
                {finding.fix.join('\n')}
              </pre>
            )}
          </li>
        );
      })}
    </ul>
  );
}
