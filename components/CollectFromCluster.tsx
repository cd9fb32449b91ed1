'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { KubeMode } from '@/lib/kube/modes';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { Progress } from './Progress';
import { kubeContextsQuery, liveSearch, postSnapshot, queryKeys, type KubeChoice } from './queries';

const MODE_LABELS = { agent: 'the node agent', debug: 'a debug pod per node', 'cni-pod': "the CNI's agent pod" } as const satisfies Record<KubeMode, string>;

/**
 * A snapshot of a live cluster through the server's kubeconfig: pick the context, how nodes are reached (the node
 * agent of deploy/agent.yaml, a short-lived debug pod per node, or the CNI's own node agent) and whether peer-pod VMs are reached too.
 */
export function CollectFromCluster() {
  const router = useRouter();
  const client = useQueryClient();
  const contexts = useQuery(kubeContextsQuery());
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [mode, setMode] = useState<NonNullable<KubeChoice['mode']>>('agent');
  const [podVms, setPodVms] = useState(false);
  const current = contexts.data?.contexts.find((c) => c.current)?.name ?? contexts.data?.contexts[0]?.name;
  const context = picked ?? current;
  const choice: KubeChoice = { context, mode, podVms };
  const capture = useMutation({
    mutationFn: () => postSnapshot({ source: 'kube', kube: choice }),
    onSuccess: (meta: SnapshotMeta) => {
      void client.invalidateQueries({ queryKey: queryKeys.snapshots() });
      router.push(`/s/${encodeURIComponent(meta.id)}`);
    },
  });
  if (contexts.error) {
    return (
      <p className="text-sm text-slate-500" data-testid="cluster-unavailable">
        No cluster: {contexts.error.message}
      </p>
    );
  }
  if (!contexts.data) return <Progress label="Reading the kubeconfig…" />;
  return (
    <form
      className="space-y-2 text-sm"
      onSubmit={(event) => {
        event.preventDefault();
        capture.mutate();
      }}
    >
      <label className="block">
        <span className="mb-1 block font-medium">Context</span>
        <select className="input w-full" data-testid="cluster-context" value={context ?? ''} onChange={(event) => setPicked(event.target.value)}>
          {contexts.data.contexts.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} ({c.cluster})
            </option>
          ))}
        </select>
      </label>
      <fieldset className="flex gap-3">
        <legend className="mb-1 font-medium">Reach nodes through</legend>
        {(Object.keys(MODE_LABELS) as KubeMode[]).map((m) => (
          <label key={m} className="inline-flex items-center gap-1">
            <input type="radio" name="cluster-mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
            {MODE_LABELS[m]}
          </label>
        ))}
      </fieldset>
      <label className="inline-flex items-center gap-1">
        <input type="checkbox" data-testid="cluster-pod-vms" checked={podVms} onChange={(event) => setPodVms(event.target.checked)} />
        Also reach peer-pod VMs
      </label>
      <div className="flex items-center gap-2">
        <button type="submit" className="btn-primary" data-testid="new-cluster-snapshot" disabled={capture.isPending || !context}>
          New snapshot from the cluster
        </button>
        {context && (
          <Link className="btn" href={`/live?${liveSearch('kube', choice)}`}>
            Live view
          </Link>
        )}
      </div>
      {capture.isPending && <Progress label="Collecting nodes…" />}
      {capture.error && (
        <p role="alert" className="text-sm text-sev-critical">
          {capture.error.message}
        </p>
      )}
    </form>
  );
}
