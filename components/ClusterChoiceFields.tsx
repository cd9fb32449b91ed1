'use client';

import type { KubeMode } from '@/lib/kube/modes';
import { PodVmSshFields, sshChoice, sshDraft, sshProblems, type PodVmSshDraft } from './PodVmSshFields';
import { TextField } from './TextField';
import type { KubeChoice, KubeContext } from './queries';

const MODE_LABELS = { agent: 'the node agent', debug: 'a debug pod per node', 'cni-pod': "the CNI's agent pod" } as const satisfies Record<KubeMode, string>;

/** What the cluster fields hold while they are filled in; `clusterChoice` turns it into what the server is sent. */
export interface ClusterDraft {
  /** None: the kubeconfig's current context. */
  context?: string;
  mode: KubeMode;
  podVms: boolean;
  nodes: string;
  selector: string;
  ssh: PodVmSshDraft;
}

/** The fields filled in as `choice` says (a live view's link), or empty. */
export function clusterDraft(choice?: KubeChoice): ClusterDraft {
  return {
    context: choice?.context,
    mode: choice?.mode ?? 'agent',
    podVms: choice?.podVms ?? false,
    nodes: choice?.nodes?.join(', ') ?? '',
    selector: choice?.selector ?? '',
    ssh: sshDraft(choice?.podVmSsh),
  };
}

/** "a, b" → ["a", "b"]: node names as the CLI's --nodes takes them. */
function nodeList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((n) => n.trim())
    .filter(Boolean);
}

/** The context a draft names, else the kubeconfig's current one, else its first. */
function draftContext(draft: ClusterDraft, contexts: readonly KubeContext[]): string | undefined {
  return draft.context ?? contexts.find((c) => c.current)?.name ?? contexts[0]?.name;
}

/**
 * The choice a draft sends, and what keeps it from being sent: node names and a selector both, or SSH asked for
 * with a field still empty. Names themselves are checked by the server, whose answer the page shows.
 */
export function clusterChoice(draft: ClusterDraft, contexts: readonly KubeContext[]): { choice: KubeChoice; both: boolean; sshIncomplete: boolean } {
  const context = draftContext(draft, contexts);
  const named = nodeList(draft.nodes);
  const selector = draft.selector.trim();
  const podVmSsh = draft.podVms ? sshChoice(draft.ssh) : undefined;
  return {
    choice: { context, mode: draft.mode, podVms: draft.podVms, ...(named.length ? { nodes: named } : {}), ...(selector ? { selector } : {}), ...(podVmSsh ? { podVmSsh } : {}) },
    both: named.length > 0 && selector !== '',
    sshIncomplete: draft.podVms && Object.keys(sshProblems(draft.ssh)).length > 0,
  };
}

/**
 * A cluster as a source, as the new-snapshot panel and the live view both offer it: the context, how nodes are
 * reached (the node agent of deploy/agent.yaml, a short-lived debug pod per node, or the CNI's own node agent), which
 * nodes (by name or label selector, as the CLI's --nodes and --selector), and whether peer-pod VMs are reached too,
 * with SSH to them.
 */
export function ClusterChoiceFields(props: { contexts: readonly KubeContext[]; draft: ClusterDraft; onChange: (draft: ClusterDraft) => void }) {
  const { draft } = props;
  const set = (patch: Partial<ClusterDraft>) => props.onChange({ ...draft, ...patch });
  const { choice, both } = clusterChoice(draft, props.contexts);
  return (
    <>
      <label className="block">
        <span className="mb-1 block font-medium">Context</span>
        <select className="input w-full" data-testid="cluster-context" value={choice.context ?? ''} onChange={(event) => set({ context: event.target.value })}>
          {props.contexts.map((c) => (
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
            <input type="radio" name="cluster-mode" value={m} checked={draft.mode === m} onChange={() => set({ mode: m })} />
            {MODE_LABELS[m]}
          </label>
        ))}
      </fieldset>
      <div className="grid gap-2 sm:grid-cols-2">
        <TextField label="Only these nodes" testId="cluster-nodes" placeholder="node-a, node-b" value={draft.nodes} onChange={(nodes) => set({ nodes })} describedBy="cluster-nodes-help" />
        <TextField label="Or nodes with labels" testId="cluster-selector" placeholder="pool=blue" value={draft.selector} onChange={(selector) => set({ selector })} describedBy="cluster-nodes-help" />
        <p id="cluster-nodes-help" className={`text-xs sm:col-span-2 ${both ? 'text-sev-critical' : 'text-slate-500'}`} role={both ? 'alert' : undefined}>
          {both ? 'Give node names or a label selector, not both.' : 'Empty: every node.'}
        </p>
      </div>
      <label className="inline-flex items-center gap-1">
        <input type="checkbox" data-testid="cluster-pod-vms" checked={draft.podVms} onChange={(event) => set({ podVms: event.target.checked })} />
        Also reach peer-pod VMs
      </label>
      {draft.podVms && <PodVmSshFields draft={draft.ssh} onChange={(ssh) => set({ ssh })} />}
    </>
  );
}
