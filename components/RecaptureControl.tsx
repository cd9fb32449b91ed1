'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { diffHref } from '@/lib/diff/view-state';
import type { RulesChoice } from '@/lib/view/rules-check';
import type { CaptureKind } from '@/lib/capture/source-kinds';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { postSnapshot, sourcesQuery } from './queries';

/**
 * "Capture again and compare": a second snapshot of the same source, now, opened side by side with this one. Two
 * captures show what one cannot: counters that moved in between (a tunnel sending into nothing, drops growing).
 */
export function RecaptureControl({ meta, rules = 'stored' }: { meta: SnapshotMeta; rules?: RulesChoice }) {
  const router = useRouter();
  // The server says which sources it can capture from again by kind alone; an upload cannot be repeated from here.
  const again = useQuery(sourcesQuery()).data?.find((s) => s.kind === meta.source.kind && s.recapture);
  const capture = useMutation({
    mutationFn: (source: CaptureKind) => postSnapshot({ source }),
    onSuccess: (created) => router.push(diffHref(meta, created, rules)),
  });
  if (!again) return null;
  return (
    <span className="inline-flex items-center gap-1">
      <button
        type="button"
        className="btn"
        data-testid="recapture"
        disabled={capture.isPending}
        title="Capture the same source again and compare the two: counters that moved in between show faults one capture cannot"
        onClick={() => capture.mutate(again.kind)}
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
