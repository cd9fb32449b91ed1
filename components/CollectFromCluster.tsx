'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ClusterChoiceFields, clusterChoice, clusterDraft } from './ClusterChoiceFields';
import { CollectionProgress } from './CollectionProgress';
import { Progress } from './Progress';
import { kubeContextsQuery, liveSearch } from './queries';
import { useStoredSnapshot } from './useStoredSnapshot';
import { useCollection } from './useCollection';

/** A snapshot of a live cluster through the server's kubeconfig, or its live view, with the choices of the cluster fields. */
export function CollectFromCluster() {
  const contexts = useQuery(kubeContextsQuery());
  const [draft, setDraft] = useState(() => clusterDraft());
  const capture = useCollection(useStoredSnapshot(), 'cluster');
  if (contexts.error) {
    return (
      <p className="text-sm text-slate-500" data-testid="cluster-unavailable">
        No cluster: {contexts.error.message}
      </p>
    );
  }
  if (!contexts.data) return <Progress label="Reading the kubeconfig…" />;
  const { choice, both, sshIncomplete } = clusterChoice(draft, contexts.data.contexts);
  const ready = choice.context !== undefined && !both && !sshIncomplete;
  return (
    <form
      className="space-y-2 text-sm"
      onSubmit={(event) => {
        event.preventDefault();
        if (ready) capture.start({ source: 'kube', kube: choice });
      }}
    >
      <ClusterChoiceFields contexts={contexts.data.contexts} draft={draft} onChange={setDraft} />
      <div className="flex items-center gap-2">
        <button type="submit" className="btn-primary" data-testid="new-cluster-snapshot" disabled={capture.running || !ready}>
          New snapshot from the cluster
        </button>
        {ready && (
          <Link className="btn" data-testid="cluster-live" href={`/live?${liveSearch('kube', choice)}`}>
            Live view
          </Link>
        )}
      </div>
      <CollectionProgress collection={capture} />
    </form>
  );
}
