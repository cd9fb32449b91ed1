/** How the kube source reaches a node, without the client library: the CLI and the dashboard import these. */

/** agent: the node agent of deploy/agent.yaml · debug: a short-lived privileged pod per node · cni-pod: the CNI's own node agent. */
export const KUBE_MODES = ['agent', 'debug', 'cni-pod'] as const;
export type KubeMode = (typeof KUBE_MODES)[number];

export function isKubeMode(mode: string | undefined): mode is KubeMode {
  return (KUBE_MODES as readonly (string | undefined)[]).includes(mode);
}
