/**
 * Cluster access as kubectl reads it: `--kubeconfig FILE`, else `$KUBECONFIG` (several files, merged), else
 * `~/.kube/config`, else the in-cluster service account. `--context` picks a context; the current one otherwise.
 */
import { existsSync } from 'node:fs';
import { Agent } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { KubeConfig, type Context } from '@kubernetes/client-node';

/**
 * Who the API server should treat the caller as (the dashboard's signed-in user); the account in the kubeconfig
 * needs `impersonate` on users and groups. lib/auth decides who that is (impersonationFor); this is the one place
 * that puts it on the wire.
 */
export interface Impersonation {
  user: string;
  groups?: readonly string[];
}

export interface KubeAccess {
  /** One kubeconfig file, as kubectl's --kubeconfig (overrides KUBECONFIG). */
  kubeconfig?: string;
  context?: string;
  impersonate?: Impersonation;
}

export class KubeAccessError extends Error {}

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

type UpgradeOptions = Parameters<KubeConfig['applyToHTTPSOptions']>[0] & { secureContext?: SecureContext };

function credentialText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return JSON.stringify(value);
}

/**
 * A kubeconfig whose exec, attach and port-forward upgrades share their TLS setup. The library gives every
 * WebSocket a fresh agent, and so a fresh secure context (CA and client key parsed again) and a full handshake:
 * a few milliseconds each, five hundred times in a big cluster's collection. Here the upgrades share one agent,
 * whose session cache resumes TLS sessions, and one secure context, for as long as the credentials it reads are the
 * same bytes (they are read again on every upgrade, so a rotated file is taken up). A proxy's agent stays the
 * library's own.
 */
export class SharedTlsKubeConfig extends KubeConfig {
  private shared: { id: string; agent: Agent; context: SecureContext } | undefined;

  override async applyToHTTPSOptions(opts: UpgradeOptions): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const cluster = this.getCurrentCluster();
    if (!cluster?.server.startsWith('https:') || cluster.proxyUrl) return;
    const credentials = { ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase };
    const id = [cluster.server, ...Object.values(credentials).map(credentialText)].join('\n');
    if (this.shared?.id !== id) this.shared = { id, agent: new Agent({ maxCachedSessions: 8 }), context: createSecureContext(credentials) };
    opts.agent = this.shared.agent;
    opts.secureContext = this.shared.context;
  }
}

/**
 * A copy of a kubeconfig whose every request (REST calls, exec and port-forward upgrades) carries the
 * impersonation headers: a kubeconfig's `as:` sends the user only. Several groups become several
 * Impersonate-Group header lines, as Kubernetes reads them.
 */
export class ImpersonatingKubeConfig extends SharedTlsKubeConfig {
  constructor(
    base: KubeConfig,
    readonly who: Impersonation,
  ) {
    super();
    this.loadFromOptions({ clusters: base.getClusters(), users: base.getUsers(), contexts: base.getContexts(), currentContext: base.getCurrentContext() });
  }

  /** REST calls: the generated client keeps headers in a plain object, one value per name. */
  override async applySecurityAuthentication(context: Parameters<KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('Impersonate-User', this.who.user);
    // node-fetch appends every key of that object, and header names are case-insensitive: differently cased
    // names of the one header become one header line per group.
    (this.who.groups ?? []).forEach((group, index) => context.setHeaderParam(casing('Impersonate-Group', index), group));
  }

  /** Exec, attach and port-forward upgrades: Node's http takes an array as repeated header lines. */
  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const headers: Record<string, string | string[]> = { ...(opts.headers as Record<string, string | string[]> | undefined) };
    headers['Impersonate-User'] = this.who.user;
    if (this.who.groups?.length) headers['Impersonate-Group'] = [...this.who.groups];
    opts.headers = headers;
  }
}

/** kubectl's merge: the first file that names a cluster, user or context wins, and the first current-context set. */
function mergeFiles(files: readonly string[]): KubeConfig {
  const merged = { clusters: new Map(), users: new Map(), contexts: new Map<string, Context>(), currentContext: '' };
  for (const file of files) {
    if (!existsSync(file)) continue;
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    for (const c of kc.getClusters()) if (!merged.clusters.has(c.name)) merged.clusters.set(c.name, c);
    for (const u of kc.getUsers()) if (!merged.users.has(u.name)) merged.users.set(u.name, u);
    for (const c of kc.getContexts()) if (!merged.contexts.has(c.name)) merged.contexts.set(c.name, c);
    if (!merged.currentContext && kc.getCurrentContext()) merged.currentContext = kc.getCurrentContext();
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [...merged.clusters.values()],
    users: [...merged.users.values()],
    contexts: [...merged.contexts.values()],
    currentContext: merged.currentContext,
  });
  return kc;
}

function configFiles(access: KubeAccess, env: NodeJS.ProcessEnv): string[] | 'in-cluster' {
  if (access.kubeconfig) {
    if (!existsSync(access.kubeconfig)) throw new KubeAccessError(`kubeconfig not found: ${access.kubeconfig}`);
    return [access.kubeconfig];
  }
  const listed = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (listed.length) return listed;
  const home = path.join(env.HOME ?? os.homedir(), '.kube', 'config');
  if (existsSync(home)) return [home];
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return 'in-cluster';
  throw new KubeAccessError('no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config');
}

/** The loaded configuration with the chosen context current; throws a message for the user when there is none. */
export function loadKubeConfig(access: KubeAccess = {}, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const files = configFiles(access, env);
  const kc = new SharedTlsKubeConfig();
  if (files === 'in-cluster') {
    kc.loadFromCluster();
  } else {
    const merged = mergeFiles(files);
    kc.loadFromOptions({ clusters: merged.getClusters(), users: merged.getUsers(), contexts: merged.getContexts(), currentContext: merged.getCurrentContext() });
  }
  if (access.context) {
    if (!kc.getContextObject(access.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeAccessError(`context "${access.context}" is not in the kubeconfig (known: ${known.join(', ') || 'none'})`);
    }
    kc.setCurrentContext(access.context);
  }
  if (!kc.getCurrentCluster()) throw new KubeAccessError('the kubeconfig has no current context: pass --context NAME');
  return access.impersonate ? new ImpersonatingKubeConfig(kc, access.impersonate) : kc;
}

export interface ContextSummary {
  name: string;
  cluster: string;
  namespace?: string;
  current: boolean;
}

/** The contexts a picker offers, without any credential. */
export function listContexts(access: Omit<KubeAccess, 'context' | 'impersonate'> = {}, env: NodeJS.ProcessEnv = process.env): ContextSummary[] {
  const files = configFiles(access, env);
  if (files === 'in-cluster') return [{ name: 'in-cluster', cluster: 'in-cluster', current: true }];
  const kc = mergeFiles(files);
  const current = kc.getCurrentContext();
  return kc.getContexts().map((c) => ({ name: c.name, cluster: c.cluster, ...(c.namespace ? { namespace: c.namespace } : {}), current: c.name === current }));
}

/** The cluster's name as kubectl shows it (the context's cluster entry). */
export function clusterName(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.name ?? kc.getCurrentContext();
}
