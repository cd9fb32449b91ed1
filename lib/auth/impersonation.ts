/**
 * Cluster collections run as the person who asked, not as the dashboard's service account: the API server then
 * applies that person's RBAC to every pod, exec and node read (Impersonate-User / Impersonate-Group headers; the
 * dashboard's account needs `impersonate` on users and groups). Only the Kubernetes mode knows the person by the
 * cluster's own name for them; other modes collect as the dashboard's account and the audit log names the person.
 */
import { KubeConfig, type User } from '@kubernetes/client-node';
import type { Caller } from './identity';

export interface Impersonation {
  user: string;
  groups: string[];
}

/** Groups the API server adds to everyone by itself; it refuses to be told them. */
const IMPLICIT_GROUPS = new Set(['system:authenticated']);

/** The identity a cluster collection for this caller should run as, or null to run as the dashboard's account. */
export function impersonationFor(caller: Caller): Impersonation | null {
  if (caller.via !== 'kubernetes') return null;
  return { user: caller.user, groups: caller.groups.filter((g) => !IMPLICIT_GROUPS.has(g)) };
}

/** The headers that ask the API server to act as `who`, for requests made outside the generated clients. */
export function impersonationHeaders(who: Impersonation): Array<[string, string]> {
  return [['Impersonate-User', who.user], ...who.groups.map((g): [string, string] => ['Impersonate-Group', g])];
}

/**
 * A copy of the dashboard's kubeconfig whose every request (REST calls, exec and port-forward upgrades) carries
 * the impersonation headers. Several groups become several Impersonate-Group headers.
 */
/** The index-th of the 2^letters spellings of a header name, differing only in letter case. */
function casing(name: string, index: number): string {
  let bit = 0;
  return [...name]
    .map((ch) => {
      if (!/[a-z]/i.test(ch)) return ch;
      const upper = ((index >> bit++) & 1) === 1;
      return upper ? ch.toUpperCase() : ch.toLowerCase();
    })
    .join('');
}

export class ImpersonatingKubeConfig extends KubeConfig {
  constructor(
    base: KubeConfig,
    readonly who: Impersonation,
  ) {
    super();
    this.loadFromString(base.exportConfig());
    const current = this.getCurrentUser();
    if (current) {
      const user: User = { ...current, impersonateUser: who.user };
      this.users = this.users.map((u) => (u.name === current.name ? user : u));
    }
  }

  /** REST calls: the generated client keeps headers in a plain object, one value per name. */
  override async applySecurityAuthentication(context: Parameters<KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('Impersonate-User', this.who.user);
    // node-fetch appends every key of that object, and header names are case-insensitive: differently cased
    // names of the one header become one header line per group, as Kubernetes reads Impersonate-Group.
    this.who.groups.forEach((group, index) => context.setHeaderParam(casing('Impersonate-Group', index), group));
  }

  /** Exec, attach and port-forward upgrades: Node's http takes an array as repeated header lines. */
  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const headers = (opts.headers ?? {}) as Record<string, string | string[]>;
    headers['Impersonate-User'] = this.who.user;
    if (this.who.groups.length > 0) headers['Impersonate-Group'] = this.who.groups;
    opts.headers = headers as typeof opts.headers;
  }
}

/** What a cluster collection for `caller` connects with: the dashboard's kubeconfig acting as them, where it can. */
export function kubeConfigFor(caller: Caller, base: KubeConfig): KubeConfig {
  const who = impersonationFor(caller);
  return who ? new ImpersonatingKubeConfig(base, who) : base;
}
