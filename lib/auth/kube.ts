/**
 * Kubernetes mode: the cluster says who the caller is (TokenReview of their bearer token) and what they may do
 * (SubjectAccessReview), through @kubernetes/client-node and the dashboard's own account. Roles are RBAC verbs on
 * resources of the API group tunnelscope.io, which RBAC accepts without the group being served:
 * `get snapshots` → viewer, `create collections` → collector, `delete snapshots` → admin.
 */
import { AuthenticationV1Api, AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Role } from './roles';

export const RBAC_GROUP = 'tunnelscope.io';

/** Checked highest first: the first allowed gives the role. */
export const ROLE_CHECKS: ReadonlyArray<{ role: Role; verb: string; resource: string }> = [
  { role: 'admin', verb: 'delete', resource: 'snapshots' },
  { role: 'collector', verb: 'create', resource: 'collections' },
  { role: 'viewer', verb: 'get', resource: 'snapshots' },
];

export interface KubeUser {
  user: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export class KubeReviewError extends Error {}

export interface KubeReviewer {
  /** The person the token belongs to, or null when the cluster does not know the token. */
  review(token: string): Promise<KubeUser | null>;
  /** The highest role RBAC grants the person. */
  role(user: KubeUser): Promise<Role | null>;
}

export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}

function failure(what: string, error: unknown): KubeReviewError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? ` (HTTP ${String((error as { code: unknown }).code)})` : '';
  return new KubeReviewError(`The Kubernetes API refused the ${what}${code}: the dashboard's account needs create on tokenreviews and subjectaccessreviews`);
}

export function kubeReviewer(kc: KubeConfig): KubeReviewer {
  const authn = kc.makeApiClient(AuthenticationV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  return {
    async review(token) {
      let status;
      try {
        status = (await authn.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } })).status;
      } catch (error) {
        throw failure('TokenReview', error);
      }
      if (!status?.authenticated || !status.user?.username) return null;
      const { username, uid, groups, extra } = status.user;
      return { user: username, uid, groups: groups ?? [], extra };
    },
    async role(user) {
      for (const check of ROLE_CHECKS) {
        let allowed: boolean;
        try {
          const review = await authz.createSubjectAccessReview({
            body: {
              apiVersion: 'authorization.k8s.io/v1',
              kind: 'SubjectAccessReview',
              spec: { user: user.user, uid: user.uid, groups: user.groups, extra: user.extra, resourceAttributes: { group: RBAC_GROUP, resource: check.resource, verb: check.verb } },
            },
          });
          allowed = review.status?.allowed === true;
        } catch (error) {
          throw failure('SubjectAccessReview', error);
        }
        if (allowed) return check.role;
      }
      return null;
    },
  };
}
