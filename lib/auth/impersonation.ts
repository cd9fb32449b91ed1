/**
 * Cluster collections run as the person who asked, not as the dashboard's service account: the API server then
 * applies that person's RBAC to every pod, exec and node read (Impersonate-User / Impersonate-Group headers; the
 * dashboard's account needs `impersonate` on users and groups). Only the Kubernetes mode knows the person by the
 * cluster's own name for them; other modes collect as the dashboard's account and the audit log names the person.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ImpersonatingKubeConfig, type Impersonation as KubeImpersonation } from '@/lib/kube/config';
import type { Caller } from './identity';

// One implementation puts the identity on the wire, the kube source's (lib/kube/config.ts); auth only decides who.
export { ImpersonatingKubeConfig };

/** The kube source's impersonation, with the groups always listed (those the API server adds itself left out). */
export interface Impersonation extends KubeImpersonation {
  groups: string[];
}

/** Groups the API server adds to everyone by itself; it refuses to be told them. */
const IMPLICIT_GROUPS = new Set(['system:authenticated']);

/** The identity a cluster collection for this caller should run as, or null to run as the dashboard's account. */
export function impersonationFor(caller: Caller): Impersonation | null {
  if (caller.via !== 'kubernetes') return null;
  return { user: caller.user, groups: caller.groups.filter((g) => !IMPLICIT_GROUPS.has(g)) };
}

/** What a cluster collection for `caller` connects with: the dashboard's kubeconfig acting as them, where it can. */
export function kubeConfigFor(caller: Caller, base: KubeConfig): KubeConfig {
  const who = impersonationFor(caller);
  return who ? new ImpersonatingKubeConfig(base, who) : base;
}
