'use client';

import { useState } from 'react';
import type { Finding } from '@/lib/diagnose/types';
import { SEVERITY_ORDER } from '@/lib/graph/palette';
import type { FindingSummary } from '@/lib/snapshot/subview';
import { CopyButton } from './CopyButton';
import { SEVERITY_CLASSES, SeverityChip } from './SeverityChip';
import { elementWords, oneLineWhy, prettyEvidence } from '@/lib/view/evidence';
import { fixBlocks } from '@/lib/view/fix-steps';
import { highlightSegments, salientValues } from '@/lib/view/highlight';

export interface FindingsPanelProps {
  findings: FindingSummary[];
  /** The finding whose elements are the current focus: shown expanded. */
  active?: FindingSummary;
  /** The active finding with its explanation, evidence and fix, once the level that holds it is loaded. */
  detail?: Finding;
  /** The level's data is still loading. */
  loading?: boolean;
  onOpen(finding: FindingSummary): void;
  onOpenHost(host: string): void;
}

/** Rows drawn per severity before "show all": thousands of buttons would slow every render of the page. */
export const FINDINGS_SHOWN = 100;

export function findingKey(finding: Pick<Finding, 'rule' | 'elements'>): string {
  return `${finding.rule}:${finding.elements.join(',')}`;
}

/** An evidence line with the finding's own values marked. */
function Quoted({ text, values }: { text: string; values: readonly string[] }) {
  return (
    <>
      {highlightSegments(text, values).map((segment, i) =>
        segment.hit ? (
          <mark key={i} className="rounded-sm bg-amber-200 px-0.5 text-slate-900 dark:bg-amber-500/40 dark:text-amber-50">
            {segment.text}
          </mark>
        ) : (
          segment.text
        ),
      )}
    </>
  );
}

function EvidenceFigure({ evidence, values }: { evidence: Finding['evidence'][number]; values: readonly string[] }) {
  const [raw, setRaw] = useState(false);
  const shown = prettyEvidence(evidence.lines);
  const text = raw || !shown.json ? evidence.lines.join('\n') : shown.text;
  return (
    <figure className="min-w-0 rounded border border-slate-200 bg-slate-50 p-2 dark:border-slate-700 dark:bg-slate-800">
      <figcaption className="mb-1 flex flex-wrap items-center gap-x-2 text-xs text-slate-700 dark:text-slate-300">
        <span>
          {evidence.host} · {evidence.netns === null ? 'root namespace' : `namespace ${evidence.netns}`}
        </span>
        <span className="mono font-semibold">{evidence.command}</span>
        {shown.json && (
          <button type="button" className="ml-auto underline" aria-pressed={raw} data-testid="evidence-raw" onClick={() => setRaw(!raw)}>
            {raw ? 'Pretty' : 'Raw output'}
          </button>
        )}
      </figcaption>
      <pre
        tabIndex={0}
        className={`mono max-h-72 overflow-auto ${raw || !shown.json ? 'whitespace-pre-wrap break-all' : ''}`}
        data-testid="evidence"
        data-json={shown.json && !raw ? 'true' : undefined}
      >
        <Quoted text={text} values={values} />
      </pre>
    </figure>
  );
}

/** The fix, one block per place it runs (one shell each), each with its own copy button. */
function FixCommands({ finding }: { finding: Finding }) {
  const blocks = fixBlocks(finding);
  return (
    <div>
      <span className="mb-1 block text-xs font-semibold uppercase text-slate-700 dark:text-slate-300">Fix (run by hand)</span>
      {blocks.map((block, i) => (
        <div key={i} className="mb-1">
          <div className="mb-1 flex items-center justify-between gap-2">
            <span className="text-xs text-slate-700 dark:text-slate-300" data-testid="fix-host">
              {block.where === undefined ? '' : `Run ${block.where}`}
            </span>
            <CopyButton text={block.lines.join('\n')} label={block.lines.length > 1 ? `Copy all ${block.lines.length} lines` : 'Copy fix'} testId="copy-fix" />
          </div>
          <pre tabIndex={0} className="mono overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-2 text-slate-100" data-testid="fix-commands">
            {block.lines.join('\n')}
          </pre>
        </div>
      ))}
    </div>
  );
}

function FindingDetail({ finding }: { finding: Finding }) {
  const values = salientValues(finding.title);
  return (
    <div className="min-w-0 space-y-2 px-3 pb-3 text-sm" data-testid="finding-detail">
      {(finding.fix?.length ?? 0) > 0 && <FixCommands finding={finding} />}
      <p data-testid="finding-why">
        <span className="font-semibold">Why: </span>
        {oneLineWhy(finding.explanation)}
      </p>
      <p className="text-xs text-slate-700 dark:text-slate-300">On: {finding.elements.map(elementWords).join('; ')}</p>
      {finding.evidence.map((ev, i) => (
        <EvidenceFigure key={i} evidence={ev} values={values} />
      ))}
      <details>
        <summary className="cursor-pointer text-xs text-slate-700 dark:text-slate-300">The whole explanation</summary>
        <p className="mt-1 whitespace-pre-line">{finding.explanation}</p>
      </details>
    </div>
  );
}

function MissingDetail({ finding, loading, onOpenHost }: { finding: FindingSummary; loading?: boolean; onOpenHost(host: string): void }) {
  if (loading)
    return (
      <p className="px-3 pb-3 text-sm text-slate-700 dark:text-slate-300" role="status">
        Loading the evidence…
      </p>
    );
  return (
    <p className="px-3 pb-3 text-sm text-slate-700 dark:text-slate-300">
      The explanation, evidence and fix come with the devices of its host.{' '}
      {finding.host && (
        <button type="button" className="underline" onClick={() => onOpenHost(finding.host!)}>
          Open {finding.host}
        </button>
      )}
    </p>
  );
}

export function FindingsPanel({ findings, active, detail, loading, onOpen, onOpenHost }: FindingsPanelProps) {
  const [showAll, setShowAll] = useState<string[]>([]);
  if (findings.length === 0) {
    return <p className="p-3 text-sm text-slate-700 dark:text-slate-300">No findings: every rule passed on this snapshot.</p>;
  }
  const activeKey = active && findingKey(active);
  return (
    <div data-testid="findings">
      {SEVERITY_ORDER.map((severity) => {
        const group = findings.filter((f) => f.severity === severity);
        if (group.length === 0) return null;
        const all = showAll.includes(severity);
        const shown = all ? group : group.filter((f, i) => i < FINDINGS_SHOWN || findingKey(f) === activeKey);
        return (
          <section key={severity} aria-label={`${severity} findings`}>
            <h3 className={`px-3 pt-2 text-xs font-semibold uppercase ${SEVERITY_CLASSES[severity].text}`}>
              {severity} ({group.length})
            </h3>
            <ul>
              {shown.map((finding) => {
                const key = findingKey(finding);
                const open = key === activeKey;
                return (
                  <li key={key} className={`border-l-4 ${SEVERITY_CLASSES[severity].border} my-1`}>
                    <button
                      type="button"
                      className="w-full px-3 py-2 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
                      data-testid="finding"
                      data-rule={finding.rule}
                      aria-expanded={open}
                      onClick={() => onOpen(finding)}
                    >
                      <SeverityChip severity={finding.severity} /> <span className="font-medium">{finding.title}</span>
                      {finding.host && <span className="block text-xs text-slate-700 dark:text-slate-300">on {finding.host}</span>}
                    </button>
                    {open && (detail ? <FindingDetail finding={detail} /> : <MissingDetail finding={finding} loading={loading} onOpenHost={onOpenHost} />)}
                  </li>
                );
              })}
            </ul>
            {shown.length < group.length && (
              <button type="button" className="btn mx-3 my-1 text-xs" onClick={() => setShowAll([...showAll, severity])}>
                Show all {group.length} {severity} findings
              </button>
            )}
          </section>
        );
      })}
    </div>
  );
}
