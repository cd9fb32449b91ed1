import type { Finding } from '@/lib/diagnose/types';
import type { Inspection } from '@/lib/view/inspect';
import { SeverityChip } from './SeverityChip';

export interface InspectorProps {
  selected?: string;
  inspection: Inspection | null;
  /** The level's data is still loading. */
  loading?: boolean;
  findings: Pick<Finding, 'rule' | 'severity' | 'title'>[];
}

export function Inspector({ selected, inspection, loading, findings }: InspectorProps) {
  if (!inspection) {
    const note = !selected
      ? 'Select a device or an edge on the graph or in the device list.'
      : loading
        ? 'Loading…'
        : 'There is nothing to show for the selection at this level: open its host to inspect it.';
    return (
      <p className="p-3 text-sm text-slate-600 dark:text-slate-400" role="status">
        {note}
      </p>
    );
  }
  return (
    <div className="space-y-3 p-3 text-sm" data-testid="inspector" data-id={inspection.id}>
      <div>
        <h3 className="break-all text-base font-semibold">{inspection.title}</h3>
        <p className="text-xs text-slate-600 dark:text-slate-400">{inspection.subtitle}</p>
        <p className="mono break-all text-slate-600 dark:text-slate-400">{inspection.id}</p>
      </div>
      {findings.length > 0 && (
        <ul className="space-y-1">
          {findings.map((f) => (
            <li key={f.rule}>
              <SeverityChip severity={f.severity} /> {f.title}
            </li>
          ))}
        </ul>
      )}
      {inspection.sections.map((section) => (
        <section key={section.title}>
          <h4 className="mb-1 text-xs font-semibold uppercase text-slate-600 dark:text-slate-400">{section.title}</h4>
          <dl className="grid grid-cols-[minmax(6rem,auto)_1fr] gap-x-2 gap-y-0.5">
            {section.rows.map(([key, value], i) => (
              <div key={`${key}-${i}`} className="contents">
                <dt className="mono text-slate-600 dark:text-slate-400">{key}</dt>
                <dd className="mono whitespace-pre-wrap break-all">{value}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}
