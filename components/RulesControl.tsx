'use client';

import { useQuery } from '@tanstack/react-query';
import { offersRecheck, rulesNote, type RulesChoice } from '@/lib/view/rules-check';
import type { SnapshotOverview } from '@/lib/snapshot/subview';
import { versionQuery } from './queries';

export interface RulesControlProps {
  /** The overview on screen: its rules version and whether it was re-diagnosed. */
  overview: Pick<SnapshotOverview, 'meta' | 'rulesVersion' | 'rediagnosed'>;
  /** The rules the view state asks for. */
  choice: RulesChoice;
  /** The findings for `choice` are still loading; the page shows the previous ones meanwhile. */
  pending: boolean;
  onChoose(choice: RulesChoice): void;
}

function buttonText(choice: RulesChoice, pending: boolean): string {
  if (choice === 'current') return pending ? 'Re-checking…' : 'Show stored findings';
  return pending ? 'Loading stored findings…' : 'Re-check with current rules';
}

/** The rules version of the findings on screen, and the switch between stored findings and this server's rules. */
export function RulesControl({ overview, choice, pending, onChoose }: RulesControlProps) {
  const server = useQuery(versionQuery());
  const stored = overview.meta.rulesVersion;
  const note = rulesNote({ stored, shown: overview.rulesVersion ?? stored, rechecked: overview.rediagnosed === true });
  const title =
    choice === 'current'
      ? `Show the findings stored with the snapshot (rules ${stored})`
      : `Re-diagnose the stored capture with this server's rules${server.data ? ` (${server.data.rulesVersion})` : ''}; the stored findings come from rules ${stored}`;
  return (
    <span className="inline-flex items-center gap-2">
      <span className="text-sm text-slate-600 dark:text-slate-400" role="status" data-testid="rules-version">
        {note}
      </span>
      {offersRecheck(stored, server.data?.rulesVersion, choice) && (
        <button type="button" className="btn text-xs" data-testid="rules-recheck" title={title} disabled={pending} onClick={() => onChoose(choice === 'current' ? 'stored' : 'current')}>
          {buttonText(choice, pending)}
        </button>
      )}
    </span>
  );
}
