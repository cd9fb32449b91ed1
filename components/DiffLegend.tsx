import { DIFF_BADGE, DIFF_DESCRIPTION, DIFF_STATUSES } from '@/lib/diff/graph';
import { DIFF_COLOR } from '@/lib/graph/palette';

/** Legend colours are data from the shared palette, so they are applied as SVG fill attributes. */
export function DiffLegend() {
  return (
    <ul className="space-y-0.5 text-xs" data-testid="diff-legend" aria-label="What the marks on the graph mean">
      {DIFF_STATUSES.map((status) => (
        <li key={status} className="flex items-center gap-1">
          <svg width="14" height="14" aria-hidden className="shrink-0">
            <text x="7" y="12" textAnchor="middle" fontSize="13" fontWeight="bold" fill={DIFF_COLOR[status]}>
              {DIFF_BADGE[status]}
            </text>
          </svg>
          {DIFF_DESCRIPTION[status]}
        </li>
      ))}
    </ul>
  );
}
