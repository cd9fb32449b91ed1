'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { diffHref } from '@/lib/diff/view-state';
import type { RulesChoice } from '@/lib/view/rules-check';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { postSnapshot } from './queries';

/** Sources this server can capture from again; an upload cannot be repeated from here. */
const RECAPTURABLE = ['lab', 'local'] as const;
type Recapturable = (typeof RECAPTURABLE)[number];

function recapturable(kind: string): kind is Recapturable {
  return (RECAPTURABLE as readonly string[]).includes(kind);
}

/**
 * "Capture again and compare": a second snapshot of the same source, now, opened side by side with this one. Two
 * captures show what one cannot: counters that moved in between (a tunnel sending into nothing, drops growing).
 */
export function RecaptureControl({ meta, rules = 'stored' }: { meta: SnapshotMeta; rules?: RulesChoice }) {
  const router = useRouter();
  const kind = meta.source.kind;
  const capture = useMutation({
    mutationFn: () => postSnapshot({ source: kind as Recapturable }),
    onSuccess: (created) => router.push(diffHref(meta, created, rules)),
  });
  if (!recapturable(kind)) return null;
  return (
    <span className="inline-flex items-center gap-1">
      <button
        type="button"
        className="btn"
        data-testid="recapture"
        disabled={capture.isPending}
        title="Capture the same source again and compare the two: counters that moved in between show faults one capture cannot"
        onClick={() => capture.mutate()}
      >
        {capture.isPending ? 'Capturing…' : 'Capture again and compare'}
      </button>
      {capture.error && (
        <span role="alert" className="text-xs text-sev-critical">
          {capture.error.message}
        </span>
      )}
    </span>
  );
}
