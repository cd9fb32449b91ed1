import { DIFF_BADGE, type DiffStatus } from '@/lib/diff/graph';
import { FINDING_BADGE, type FindingStatus } from '@/lib/diff/changes';

type Look = { chip: string; border: string };

/** Tailwind classes per diff state, from the shared palette (theme colours `diff-*`). Literal for Tailwind's scanner. */
export const DIFF_CLASSES: Record<DiffStatus, Look> = {
  added: { chip: 'bg-diff-added text-white', border: 'border-diff-added' },
  removed: { chip: 'bg-diff-removed text-slate-900', border: 'border-diff-removed border-dashed' },
  changed: { chip: 'bg-diff-changed text-white', border: 'border-diff-changed border-double' },
};

/** A resolved finding is good news (green); a new one is a fault that appeared (red). */
export const FINDING_CLASSES: Record<FindingStatus, Look> = {
  resolved: { chip: 'bg-diff-added text-white', border: 'border-diff-added' },
  new: { chip: 'bg-sev-critical text-white', border: 'border-sev-critical' },
  changed: { chip: 'bg-diff-changed text-white', border: 'border-diff-changed border-double' },
};

function Chip({ look, glyph, word }: { look: Look; glyph: string; word: string }) {
  return (
    <span className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-semibold ${look.chip}`}>
      <span aria-hidden>{glyph}</span>
      {word}
    </span>
  );
}

export function DiffChip({ status }: { status: DiffStatus }) {
  return <Chip look={DIFF_CLASSES[status]} glyph={DIFF_BADGE[status]} word={status} />;
}

export function FindingStatusChip({ status }: { status: FindingStatus }) {
  return <Chip look={FINDING_CLASSES[status]} glyph={FINDING_BADGE[status]} word={status} />;
}
