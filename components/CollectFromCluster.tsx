'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import type { KubeMode } from '@/lib/kube/modes';
import { CollectionProgress } from './CollectionProgress';
import { EMPTY_SSH_DRAFT, PodVmSshFields, sshChoice, sshProblems, type PodVmSshDraft } from './PodVmSshFields';
import { Progress } from './Progress';
import { TextField } from './TextField';
import { kubeContextsQuery, liveSearch, type KubeChoice } from './queries';
import { useStoredSnapshot } from './useStoredSnapshot';
import { useCollection } from './useCollection';

const MODE_LABELS = { agent: 'the node agent', debug: 'a debug pod per node', 'cni-pod': "the CNI's agent pod" } as const satisfies Record<KubeMode, string>;

/** "a, b" → ["a", "b"]: node names as the CLI's --nodes takes them. */
function nodeList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((n) => n.trim())
    .filter(Boolean);
}

/**
 * A snapshot of a live cluster through the server's kubeconfig: pick the context, how nodes are reached (the node
 * agent of deploy/agent.yaml, a short-lived debug pod per node, or the CNI's own node agent), which nodes (by name or
 * label selector, as the CLI's --nodes and --selector) and whether peer-pod VMs are reached too.
 */
export function CollectFromCluster() {
  const contexts = useQuery(kubeContextsQuery());
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [mode, setMode] = useState<NonNullable<KubeChoice['mode']>>('agent');
  const [podVms, setPodVms] = useState(false);
  const [nodes, setNodes] = useState('');
  const [selector, setSelector] = useState('');
  const [ssh, setSsh] = useState<PodVmSshDraft>(EMPTY_SSH_DRAFT);
  const current = contexts.data?.contexts.find((c) => c.current)?.name ?? contexts.data?.contexts[0]?.name;
  const context = picked ?? current;
  const named = nodeList(nodes);
  const choice: KubeChoice = { context, mode, podVms, ...(named.length ? { nodes: named } : {}), ...(selector.trim() ? { selector: selector.trim() } : {}) };
  const podVmSsh = podVms ? sshChoice(ssh) : undefined;
  const sshIncomplete = podVms && Object.keys(sshProblems(ssh)).length > 0;
  const both = named.length > 0 && selector.trim() !== '';
  const capture = useCollection(useStoredSnapshot(), 'cluster');
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
        if (!both && !sshIncomplete) capture.start({ source: 'kube', kube: { ...choice, ...(podVmSsh ? { podVmSsh } : {}) } });
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
      <div className="grid gap-2 sm:grid-cols-2">
        <TextField label="Only these nodes" testId="cluster-nodes" placeholder="node-a, node-b" value={nodes} onChange={setNodes} describedBy="cluster-nodes-help" />
        <TextField label="Or nodes with labels" testId="cluster-selector" placeholder="pool=blue" value={selector} onChange={setSelector} describedBy="cluster-nodes-help" />
        <p id="cluster-nodes-help" className={`text-xs sm:col-span-2 ${both ? 'text-sev-critical' : 'text-slate-500'}`} role={both ? 'alert' : undefined}>
          {both ? 'Give node names or a label selector, not both.' : 'Empty: every node.'}
        </p>
      </div>
      <label className="inline-flex items-center gap-1">
        <input type="checkbox" data-testid="cluster-pod-vms" checked={podVms} onChange={(event) => setPodVms(event.target.checked)} />
        Also reach peer-pod VMs
      </label>
      {podVms && <PodVmSshFields draft={ssh} onChange={setSsh} />}
      <div className="flex items-center gap-2">
        <button type="submit" className="btn-primary" data-testid="new-cluster-snapshot" disabled={capture.running || !context || both || sshIncomplete}>
          New snapshot from the cluster
        </button>
        {context && !both && (
          <Link className="btn" href={`/live?${liveSearch('kube', choice)}`}>
            Live view
          </Link>
        )}
      </div>
      <CollectionProgress collection={capture} />
    </form>
  );
}
