/** The API addresses of a snapshot's levels, shared by the queries and by the page that preloads them. */
import type { RulesChoice } from '@/lib/view/rules-check';

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

/** The exports of a view: the Markdown report and the static picture, for the same host, focus and rules. */
export function snapshotExportUrls(id: string, view: { rules?: RulesChoice; host?: string; focus: string[]; sel?: string; path?: string }): { report: string; svg: string } {
  const svg = new URLSearchParams();
  if (view.host) svg.set('host', view.host);
  const focus = view.focus[0] ?? view.sel;
  if (focus) svg.set('focus', focus);
  if (view.rules === 'current') svg.set('rules', 'current');
  if (view.path) svg.set('path', view.path);
  const svgQuery = svg.toString();
  return {
    report: snapshotUrl(id, `/report.md${view.rules === 'current' ? '?rules=current' : ''}`),
    svg: snapshotUrl(id, `/graph.svg${svgQuery ? `?${svgQuery}` : ''}`),
  };
}
