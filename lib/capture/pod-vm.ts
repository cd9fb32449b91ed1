/** The host name of a pod VM no way reached, before (or without) it printing its own: after the peer pod it runs. */
export function unreachedPodVmName(pod: { namespace: string; name: string }): string {
  return `${pod.name}.${pod.namespace}.podvm`;
}
