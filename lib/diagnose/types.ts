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
  /**
   * For a symptom: the elements where the path it depends on breaks (the hop a trace stopped at, and its edge).
   * A finding of another rule that names one of them explains this one, which diagnosis then leaves out. Not
   * kept in diagnosis results.
   */
  causedAt?: string[];
}

export interface Rule {
  id: string;
  severity: Severity;
  title: string;
  run(topology: Topology): Finding[];
}

export interface Diagnosis {
  rulesVersion: string;
  findings: Finding[];
}
