'use client';

import type { Finding } from '@/lib/diagnose/types';
import { SEVERITY_ORDER } from '@/lib/graph/palette';
import { CopyButton } from './CopyButton';
import { SEVERITY_CLASSES, SeverityChip } from './SeverityChip';

export interface FindingsPanelProps {
  findings: Finding[];
  /** The finding whose elements are the current focus: shown expanded. */
  active?: Finding;
  onOpen(finding: Finding): void;
}

export function findingKey(finding: Finding): string {
  return `${finding.rule}:${finding.elements.join(',')}`;
}

function FindingDetail({ finding }: { finding: Finding }) {
  return (
    <div className="space-y-2 px-3 pb-3 text-sm" data-testid="finding-detail">
      <p className="whitespace-pre-line">{finding.explanation}</p>
      {finding.evidence.map((ev, i) => (
        <figure key={i} className="rounded bg-slate-100 p-2 dark:bg-slate-800">
          <figcaption className="mono mb-1 text-slate-500 dark:text-slate-400">
            {ev.host} · {ev.netns ?? 'root'} · <span className="font-semibold">{ev.command}</span>
          </figcaption>
          <pre className="mono overflow-x-auto whitespace-pre-wrap break-all">{ev.lines.join('\n')}</pre>
        </figure>
      ))}
      {finding.fix && finding.fix.length > 0 && (
        <div>
          <div className="mb-1 flex items-center justify-between">
            <span className="text-xs font-semibold uppercase text-slate-500">Fix (run by hand)</span>
            <CopyButton text={finding.fix.join('\n')} label="Copy fix" testId="copy-fix" />
          </div>
          <pre className="mono overflow-x-auto rounded bg-slate-900 p-2 text-slate-100" data-testid="fix-commands">
            {finding.fix.join('\n')}
          </pre>
        </div>
      )}
    </div>
  );
}

export function FindingsPanel({ findings, active, onOpen }: FindingsPanelProps) {
  if (findings.length === 0) {
    return <p className="p-3 text-sm text-slate-500">No findings: every rule passed on this snapshot.</p>;
  }
  return (
    <div data-testid="findings">
      {SEVERITY_ORDER.map((severity) => {
        const group = findings.filter((f) => f.severity === severity);
        if (group.length === 0) return null;
        return (
          <section key={severity} aria-label={`${severity} findings`}>
            <h3 className={`px-3 pt-2 text-xs font-semibold uppercase ${SEVERITY_CLASSES[severity].text}`}>
              {severity} ({group.length})
            </h3>
            <ul>
              {group.map((finding) => {
                const open = active !== undefined && findingKey(active) === findingKey(finding);
                return (
                  <li key={findingKey(finding)} className={`border-l-4 ${SEVERITY_CLASSES[severity].border} my-1`}>
                    <button
                      type="button"
                      className="w-full px-3 py-2 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
                      data-testid="finding"
                      data-rule={finding.rule}
                      aria-expanded={open}
                      onClick={() => onOpen(finding)}
                    >
                      <SeverityChip severity={finding.severity} /> <span className="font-medium">{finding.title}</span>
                      <span className="mono block text-slate-500">{finding.rule}</span>
                    </button>
                    {open && <FindingDetail finding={finding} />}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
