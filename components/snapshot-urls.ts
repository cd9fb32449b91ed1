/** The API addresses of a snapshot's levels, shared by the queries and by the page that preloads them. */
import type { RulesChoice } from '@/lib/graph/rules-check';

export function snapshotUrl(id: string, query = ''): string {
  return `/api/snapshots/${encodeURIComponent(id)}${query}`;
}

/** `&rules=current` when the page re-checks the snapshot with this server's rules; stored rules are the default. */
export function rulesQuery(rules: RulesChoice): string {
  return rules === 'current' ? '&rules=current' : '';
}

export function snapshotOverviewUrl(id: string, rules: RulesChoice = 'stored'): string {
  return snapshotUrl(id, `?level=overview${rulesQuery(rules)}`);
}

export function snapshotHostUrl(id: string, host: string, rules: RulesChoice = 'stored'): string {
  return snapshotUrl(id, `?host=${encodeURIComponent(host)}${rulesQuery(rules)}`);
}
