/** The ways a pod VM is reached, best first; `upload` is a collector output a person sent. */
export type PodVmWay = 'ssh' | 'exec' | 'upload';

/** How a pod VM's capture was made: which way reached it, and why the better ways did not. */
export interface PodVmReach {
  /** The peer pod the VM runs, when the cluster named it. */
  pod?: { namespace: string; name: string };
  /** The way whose output this capture holds; absent when no way reached the VM. */
  via?: PodVmWay;
  /** Ways tried before (or instead of) `via`, in order, each with why it did not serve. */
  skipped: { way: PodVmWay; reason: string }[];
  /** Reached over SSH without checking its host key, because the collection was told to skip the check. */
  hostKeyUnchecked?: boolean;
}

/** The host name of a pod VM no way reached, before (or without) it printing its own: after the peer pod it runs. */
export function unreachedPodVmName(pod: { namespace: string; name: string }): string {
  return `${pod.name}.${pod.namespace}.podvm`;
}
