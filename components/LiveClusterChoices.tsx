'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ClusterChoiceFields, clusterChoice, clusterDraft } from './ClusterChoiceFields';
import { kubeContextsQuery, liveSearch, type KubeChoice } from './queries';

function summary(kube: KubeChoice): string {
  const reach = kube.podVms ? (kube.podVmSsh ? ', pod VMs over SSH' : ', pod VMs') : '';
  return `${kube.context ?? 'current context'}, ${kube.mode ?? 'agent'}${reach}`;
}

/**
 * The live view of a cluster with the new-snapshot panel's fields, filled in as its link says (`kube`; none while
 * another source is shown and the cluster is being picked). Showing other choices changes the link, so a view with its
 * choices can be shared and reloaded; the server checks them as it checks a snapshot's. Open when the view could not
 * be shown, so that a refused choice can be mended where it was made, and while the cluster is being picked.
 */
export function LiveClusterChoices({ kube, open }: { kube?: KubeChoice; open: boolean }) {
  const contexts = useQuery(kubeContextsQuery());
  const [draft, setDraft] = useState(() => clusterDraft(kube));
  const router = useRouter();
  const list = contexts.data?.contexts ?? [];
  const { choice, both, sshIncomplete } = clusterChoice(draft, list);
  const ready = choice.context !== undefined && !both && !sshIncomplete;
  return (
    <details className="panel p-3 text-sm" open={open} data-testid="live-cluster-choices">
      <summary className="cursor-pointer font-medium">Cluster choices{kube ? `: ${summary(kube)}` : ''}</summary>
      {contexts.error ? (
        <p className="mt-2 text-slate-500">No cluster: {contexts.error.message}</p>
      ) : (
        <form
          className="mt-2 space-y-2"
          onSubmit={(event) => {
            event.preventDefault();
            if (ready) router.push(`/live?${liveSearch('kube', choice)}`);
          }}
        >
          <ClusterChoiceFields contexts={list} draft={draft} onChange={setDraft} />
          <button type="submit" className="btn-primary block" data-testid="live-apply" disabled={!ready}>
            Show live with these choices
          </button>
        </form>
      )}
    </details>
  );
}
