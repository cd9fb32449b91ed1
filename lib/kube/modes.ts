/** The kube source's choices and progress, without the client library: the CLI and the dashboard import these. */
import type { HostRole } from '@/lib/capture/types';

export type KubeMode = 'agent' | 'debug';
export const KUBE_MODES: readonly KubeMode[] = ['agent', 'debug'];

export interface HostProgress {
  host: string;
  role: HostRole;
  state: 'running' | 'done' | 'partial' | 'failed';
  reason?: string;
  /** Hosts finished so far, and all the hosts of this collection. */
  finished: number;
  total: number;
}
