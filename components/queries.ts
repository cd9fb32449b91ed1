/**
 * The one query-key factory and the fetchers behind it. Every server read in the UI goes through here.
 */
import { queryOptions } from '@tanstack/react-query';
import type { PathView } from '@/lib/snapshot/path';
import type { SearchHit } from '@/lib/view/search';
import type { HostSubview, SnapshotOverview } from '@/lib/snapshot/subview';
import type { SnapshotDiff } from '@/lib/diff/diff';
import type { RulesChoice } from '@/lib/view/rules-check';
import type { SnapshotMeta, SnapshotPage, SnapshotView } from '@/lib/snapshot/types';
import type { KubeMode } from '@/lib/kube/modes';
import type { CaptureKind, SourceInfo } from '@/lib/capture/source-kinds';
import type { JobStatus } from '@/lib/sources/collection-progress';
import { rulesQuery, snapshotHostUrl, snapshotOverviewUrl, snapshotUrl } from './snapshot-urls';

/** An API answer that was not 2xx, with the message the server wrote for the user. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function readError(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body: unknown = await response.json();
    if (body && typeof body === 'object' && 'error' in body) {
      const error = (body as { error: unknown }).error;
      if (typeof error === 'string') message = error;
      else if (error && typeof error === 'object' && 'message' in error) message = String((error as { message: unknown }).message);
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, message);
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw await readError(response);
  return (await response.json()) as T;
}

/** A cluster capture's choices, as POST /api/snapshots and /api/live take them. */
export interface KubeChoice {
  context?: string;
  mode?: KubeMode;
  podVms?: boolean;
  /** Only these nodes, or only the nodes matching a label selector (k=v,…): the CLI's --nodes and --selector. */
  nodes?: string[];
  selector?: string;
  podVmSsh?: PodVmSshChoice;
}

/** SSH to pod VMs: objects in the cluster only (the key's Secret, a known_hosts ConfigMap), never a key or a path. */
export interface PodVmSshChoice {
  keySecret: string;
  knownHostsConfigMap?: string;
  user?: string;
  skipHostKeyCheck?: true;
}

export interface KubeContext {
  name: string;
  cluster: string;
  namespace?: string;
  current: boolean;
}

export async function postSnapshot(body: { source: CaptureKind; kube?: KubeChoice } | { bundle: unknown } | string): Promise<SnapshotMeta> {
  const isText = typeof body === 'string';
  const response = await fetch('/api/snapshots', {
    method: 'POST',
    headers: { 'content-type': isText ? 'text/plain' : 'application/json' },
    body: isText ? body : JSON.stringify(body),
  });
  if (!response.ok) throw await readError(response);
  return createdMeta(await response.json());
}

export interface CollectionRequest {
  source: CaptureKind;
  title?: string;
  kube?: KubeChoice;
}

/** Starts a collection job: the server answers at once (202) with the job, whose progress is then followed. */
export async function postCollection(request: CollectionRequest): Promise<JobStatus> {
  const response = await fetch('/api/collections', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  if (!response.ok) throw await readError(response);
  return ((await response.json()) as { job: JobStatus }).job;
}

export async function deleteJson(url: string): Promise<void> {
  const response = await fetch(url, { method: 'DELETE', headers: { accept: 'application/json' } });
  if (!response.ok) throw await readError(response);
}

/** A job's status, read every second where its event stream cannot be. */
export function collectionStatusQuery(id: string) {
  return queryOptions({
    queryKey: queryKeys.collection(id),
    queryFn: () => getJson<JobStatus>(`/api/collections/${encodeURIComponent(id)}`),
    refetchInterval: (query) => (query.state.data?.phase === 'ended' ? false : 1000),
  });
}

/** The created snapshot's metadata from a 201 answer (`{ meta }`, or `{ snapshot }` as some servers name it). */
export function createdMeta(body: unknown): SnapshotMeta {
  if (body && typeof body === 'object') {
    const record = body as { meta?: SnapshotMeta; snapshot?: SnapshotMeta };
    const meta = record.meta ?? record.snapshot;
    if (meta && typeof meta.id === 'string') return meta;
  }
  throw new ApiError(502, 'The server created a snapshot but did not say which one.');
}

/** One trace hop as the trace endpoint reports it; fields beyond these are shown as given. */
export interface TraceHop {
  element?: string;
  id?: string;
  ok?: boolean;
  status?: string;
  note?: string;
  reason?: string;
  label?: string;
  /** The host the hop is on. */
  host?: string;
}

export interface TraceAnswer {
  hops: TraceHop[];
  breakAt?: string;
  reached?: boolean;
  summary?: string;
}

export const queryKeys = {
  all: ['tunnelscope'] as const,
  snapshots: () => [...queryKeys.all, 'snapshots'] as const,
  snapshotList: (cursor?: string) => [...queryKeys.snapshots(), 'list', cursor ?? ''] as const,
  snapshot: (id: string) => [...queryKeys.snapshots(), 'view', id] as const,
  snapshotOverview: (id: string, rules: RulesChoice) => [...queryKeys.snapshots(), 'overview', id, rules] as const,
  snapshotHost: (id: string, host: string, rules: RulesChoice) => [...queryKeys.snapshots(), 'host', id, host, rules] as const,
  search: (id: string, q: string, rules: RulesChoice) => [...queryKeys.snapshots(), 'search', id, q, rules] as const,
  snapshotRediagnosed: (id: string) => [...queryKeys.snapshot(id), 'current'] as const,
  snapshotsOnHost: (host: string) => [...queryKeys.snapshots(), 'on-host', host] as const,
  diff: (a: string, b: string, rules: RulesChoice) => [...queryKeys.all, 'diff', a, b, rules] as const,
  trace: (id: string, from: string, to: string, rules: RulesChoice) => [...queryKeys.all, 'trace', id, from, to, rules] as const,
  path: (id: string, subject: string, rules: RulesChoice) => [...queryKeys.snapshots(), 'path', id, subject, rules] as const,
  collection: (id: string) => [...queryKeys.all, 'collection', id] as const,
  live: (source: string) => [...queryKeys.all, 'live', source] as const,
  kubeContexts: () => [...queryKeys.all, 'kube', 'contexts'] as const,
  sources: () => [...queryKeys.all, 'sources'] as const,
  version: () => [...queryKeys.all, 'version'] as const,
};

/** Snapshots are immutable: once loaded, never stale. `current` re-diagnoses with this server's rules. */
export function snapshotQuery(id: string, rules: RulesChoice = 'stored') {
  const current = rules === 'current';
  return queryOptions({
    queryKey: current ? queryKeys.snapshotRediagnosed(id) : queryKeys.snapshot(id),
    queryFn: () => getJson<SnapshotView>(snapshotUrl(id, current ? '?rules=current' : '')),
    staleTime: Infinity,
  });
}

/** Hosts, merged tunnels, fault counts and the findings list: what every level of a snapshot page shows. */
export function snapshotOverviewQuery(id: string, rules: RulesChoice = 'stored') {
  return queryOptions({
    queryKey: queryKeys.snapshotOverview(id, rules),
    queryFn: () => getJson<SnapshotOverview>(snapshotOverviewUrl(id, rules)),
    staleTime: Infinity,
  });
}

/** One host's devices and what its inspector and findings need. */
export function snapshotHostQuery(id: string, host: string, rules: RulesChoice = 'stored') {
  return queryOptions({
    queryKey: queryKeys.snapshotHost(id, host, rules),
    queryFn: () => getJson<HostSubview>(snapshotHostUrl(id, host, rules)),
    staleTime: Infinity,
  });
}

export function searchQuery(id: string, q: string, rules: RulesChoice = 'stored') {
  return queryOptions({
    queryKey: queryKeys.search(id, q, rules),
    queryFn: async () => (await getJson<{ hits: SearchHit[] }>(snapshotUrl(id, `/search?q=${encodeURIComponent(q)}${rulesQuery(rules)}`))).hits,
    staleTime: Infinity,
  });
}

/** Recent snapshots that include a host, newest first: candidates to compare a snapshot with. */
export const SNAPSHOTS_ON_HOST_LIMIT = 20;

export function snapshotsOnHostQuery(host: string) {
  return queryOptions({
    queryKey: queryKeys.snapshotsOnHost(host),
    queryFn: () => getJson<SnapshotPage>(`/api/snapshots?host=${encodeURIComponent(host)}&limit=${SNAPSHOTS_ON_HOST_LIMIT}`),
  });
}

/** A diff of two immutable snapshots never changes either. */
export function diffQuery(a: string, b: string, rules: RulesChoice) {
  return queryOptions({
    queryKey: queryKeys.diff(a, b, rules),
    // A diff cached by the browser before counters were compared has no `between`: read it as nothing moved.
    queryFn: async () => {
      const diff = await getJson<SnapshotDiff>(`/api/diff?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}${rules === 'current' ? '&rules=current' : ''}`);
      return { ...diff, between: diff.between ?? { findings: [] } };
    },
    staleTime: Infinity,
  });
}

export function snapshotListQuery(cursor?: string) {
  return queryOptions({
    queryKey: queryKeys.snapshotList(cursor),
    queryFn: () => getJson<SnapshotPage>(`/api/snapshots${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
  });
}

export function traceQuery(id: string, from: string, to: string, rules: RulesChoice = 'stored') {
  return queryOptions({
    queryKey: queryKeys.trace(id, from, to, rules),
    queryFn: () => getJson<TraceAnswer>(`/api/trace/${encodeURIComponent(id)}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${rulesQuery(rules)}`),
    staleTime: Infinity,
  });
}

/** The path view of a finding, trace, pod or device (`subject`), or of the most severe finding when it is ''. */
export function pathQuery(id: string, subject: string, rules: RulesChoice = 'stored') {
  return queryOptions({
    queryKey: queryKeys.path(id, subject, rules),
    queryFn: async () => (await getJson<{ path: PathView | null }>(snapshotUrl(id, `/path?subject=${encodeURIComponent(subject)}${rulesQuery(rules)}`))).path,
    staleTime: Infinity,
  });
}

/** What this server runs: the rules version a re-check would diagnose with. */
export interface ServerVersion {
  rulesVersion: string;
}

/** Read once per page: the server's rules change only with a new release, and a reload picks that up. */
export function versionQuery() {
  return queryOptions({
    queryKey: queryKeys.version(),
    queryFn: () => getJson<ServerVersion>('/api/version'),
    staleTime: Infinity,
  });
}

export const LIVE_INTERVAL_MS = 5000;

/** The contexts of the server's kubeconfig; a server without one answers 409 with the reason. */
export function kubeContextsQuery() {
  return queryOptions({
    queryKey: queryKeys.kubeContexts(),
    queryFn: () => getJson<{ contexts: KubeContext[] }>('/api/kube/contexts'),
    staleTime: 60_000,
  });
}

/** The sources this server captures from; whether one is reachable changes rarely (a lab started, a kubeconfig added). */
export function sourcesQuery() {
  return queryOptions({
    queryKey: queryKeys.sources(),
    queryFn: async () => (await getJson<{ sources: SourceInfo[] }>('/api/sources')).sources,
    staleTime: 60_000,
  });
}

/** /api/live's query string for a source (and, for a cluster, its choices, SSH to pod VMs as `podVmSsh.<field>`). */
export function liveSearch(source: CaptureKind, kube?: KubeChoice): string {
  const params = new URLSearchParams({ source });
  if (kube) {
    if (kube.context) params.set('context', kube.context);
    if (kube.mode) params.set('mode', kube.mode);
    if (kube.podVms) params.set('podVms', '1');
    if (kube.nodes?.length) params.set('nodes', kube.nodes.join(','));
    if (kube.selector) params.set('selector', kube.selector);
    for (const [field, value] of Object.entries(kube.podVmSsh ?? {})) params.set(`podVmSsh.${field}`, value === true ? '1' : value);
  }
  return params.toString();
}

export function liveQuery(source: CaptureKind, kube?: KubeChoice) {
  const search = liveSearch(source, kube);
  return queryOptions({
    queryKey: queryKeys.live(search),
    queryFn: () => getJson<SnapshotView>(`/api/live?${search}`),
    // Back off while the source keeps failing.
    refetchInterval: (query) => LIVE_INTERVAL_MS * Math.min(2 ** query.state.fetchFailureCount, 12),
  });
}

/** Never retry what a retry cannot fix: validation, auth and missing snapshots. */
export function shouldRetry(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}
