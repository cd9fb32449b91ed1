/** How the kube source reaches a node, without the client library: the CLI and the dashboard import these. */

/** Each mode and how the dashboard names it; the order is the order every list names them in. */
export const KUBE_MODE_LABELS = {
  /** The node agent of deploy/agent.yaml. */
  agent: 'the node agent',
  /** A short-lived privileged pod per node. */
  debug: 'a debug pod per node',
  /** The CNI's own node agent. */
  'cni-pod': "the CNI's agent pod",
} as const;

export type KubeMode = keyof typeof KUBE_MODE_LABELS;
export const KUBE_MODES = Object.keys(KUBE_MODE_LABELS) as [KubeMode, ...KubeMode[]];

export function isKubeMode(mode: string | undefined): mode is KubeMode {
  return mode !== undefined && Object.hasOwn(KUBE_MODE_LABELS, mode);
}
