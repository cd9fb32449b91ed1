import type { ClusterContext } from '@/lib/capture/types';
import type { Topology } from '@/lib/topology/types';
import type { ShellLine } from './fix';

export type Severity = 'critical' | 'warning' | 'info';

export interface Evidence {
  host: string;
  netns: string | null;
  /** The command as typed, e.g. "ip -j -d link show". */
  command: string;
  /** Exact output lines that show the fault. */
  lines: string[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  title: string;
  /** For a platform engineer: what is wrong, why traffic dies there, how we know. */
  explanation: string;
  evidence: Evidence[];
  /** Topology element ids (nodes and edges) to paint red. */
  elements: string[];
  /** Commands for a person to run, real names filled in and quoted (built by `sh`/`note`). Tunnelscope never runs them. */
  fix?: ShellLine[];
  /** Where the lines of `fix` run, in order: a step's lines go from its `from` up to the next step's. */
  fixOn?: FixStep[];
  /**
   * For a symptom: the elements where the path it depends on breaks (the hop a trace stopped at, and its edge).
   * A finding of another rule that names one of them explains this one, which diagnosis then leaves out. Not
   * kept in diagnosis results.
   */
  causedAt?: string[];
}

/**
 * What a captured host is, for a person who has to find the shell to run a fix in: a Kubernetes node (a worker
 * when it runs peer pods), a peer pod's VM, a machine of unknown role, or the host a paste never named.
 */
export type FixRole = 'worker' | 'node' | 'pod-vm' | 'host' | 'unnamed';

/** Where fix lines run: on a captured host, or through kubectl against the cluster (from any machine with access). */
export type FixTarget =
  | {
      kind: 'host';
      host: string;
      /** Left out only by a rule run on its own; diagnosis fills it in. */
      role?: FixRole;
      /** The Kubernetes node this host is, where the cluster context or the capture knows it. */
      node?: string;
      /** Of a pod VM: its peer pod as `namespace/name`, when the cluster context names it. */
      pod?: string;
      /** Of a pod VM: the worker that runs its peer pod, and the pod's network namespace there. */
      worker?: string;
      podNetns?: string;
    }
  | { kind: 'cluster'; cluster?: string };

export interface FixStep {
  /** Index of the first line of `fix` that runs on `on`. */
  from: number;
  on: FixTarget;
}

export interface Rule {
  id: string;
  severity: Severity;
  title: string;
  /** `cluster` is the capture's cluster context, when it has one: fixes then name the Kubernetes objects. */
  run(topology: Topology, cluster?: ClusterContext): Finding[];
}

export interface Diagnosis {
  rulesVersion: string;
  findings: Finding[];
}
