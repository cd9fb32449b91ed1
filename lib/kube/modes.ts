/** The kube source's choices and progress, without the client library: the CLI and the dashboard import these. */
import type { HostRole } from '@/lib/capture/types';

/** agent: the node agent of deploy/agent.yaml · debug: a short-lived privileged pod per node · cni-pod: the CNI's own node agent. */
export type KubeMode = 'agent' | 'debug' | 'cni-pod';
export const KUBE_MODES: readonly KubeMode[] = ['agent', 'debug', 'cni-pod'];

export interface HostProgress {
  host: string;
  role: HostRole;
  state: 'running' | 'done' | 'partial' | 'failed';
  reason?: string;
  /** Hosts finished so far, and all the hosts of this collection. */
  finished: number;
  total: number;
}
