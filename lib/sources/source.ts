/**
 * What a source is: it says whether this server can reach it, and discovers its hosts, each with how its commands
 * run. Collecting them is the same for every source: a bounded number at a time, a progress line per host, and a
 * cancel that turns the hosts not yet started into failed ones. A failed host makes a partial bundle, never a failed one.
 */
import { mapWithLimit } from '@/lib/capture/collect/pool';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type CaptureBundle, type CaptureSource, type ClusterContext, type HostCapture, type HostRole } from '@/lib/capture/types';
import type { ImportProblem } from '@/lib/capture/problems';
import type { CaptureKind, SentKind } from '@/lib/capture/source-kinds';

export interface HostProgress {
  host: string;
  role: HostRole;
  state: 'running' | 'done' | 'partial' | 'failed';
  reason?: string;
  /** Hosts finished so far, and all the hosts of this collection. */
  finished: number;
  total: number;
}

export interface CaptureControl {
  signal?: AbortSignal;
  onProgress?: (progress: HostProgress) => void;
  /** CPU priority (nice) of the processes a collection starts on this machine: the dashboard's yield to its readers. */
  nice?: number;
}

export interface SourceHost {
  name: string;
  role: HostRole;
  /** Runs the host's commands. Throwing means the host could not be reached: it is recorded as failed with the message. */
  collect(signal?: AbortSignal): Promise<HostCapture>;
}

export interface Discovery {
  /** What the bundle records as its origin. */
  source: CaptureSource;
  /** When the capture began; a replayed capture keeps its own time. */
  createdAt: string;
  hosts: readonly SourceHost[];
  cluster?: ClusterContext;
  /** Hosts collected at once. */
  concurrency: number;
  /** What could not be read while discovering (lines, files of an upload), reported beside the bundle. */
  problems?: readonly ImportProblem[];
}

export type Availability = { available: true } | { available: false; reason: string };

/** `Options`: the capture's choices; a source reads the part that concerns it. */
export interface Source<K extends CaptureKind | SentKind = CaptureKind, Options = CaptureControl> {
  kind: K;
  /** Whether this server can capture from it now; cheap enough to ask on every page load. */
  availability(): Promise<Availability>;
  /** Finds the hosts; throws SourceError, written for the user, when the source itself cannot be reached. */
  discover(options: Options): Promise<Discovery>;
}

/** Hosts captured already (a shipped sample, an upload), replayed as they were: their own origin, time and order. */
export function replayBundle({ source, createdAt, hosts, cluster }: CaptureBundle): Discovery {
  return {
    source,
    createdAt,
    hosts: hosts.map((host) => ({ name: host.name, role: host.role, collect: async () => host })),
    ...(cluster ? { cluster } : {}),
    concurrency: hosts.length,
  };
}

/** A source that cannot be reached at all (no lab running, no kubeconfig): the API answers 409 with its message. */
export class SourceError extends Error {}

export function failedHost(name: string, role: HostRole, error: string): HostCapture {
  return { name, role, collectedAt: new Date().toISOString(), status: 'failed', error, namespaces: [] };
}

type Report = (progress: Omit<HostProgress, 'finished' | 'total'>) => void;

async function collectOne(host: SourceHost, signal: AbortSignal | undefined, report: Report): Promise<HostCapture> {
  report({ host: host.name, role: host.role, state: 'running' });
  let captured: HostCapture;
  if (signal?.aborted) captured = failedHost(host.name, host.role, 'cancelled');
  else {
    try {
      captured = await host.collect(signal);
    } catch (error) {
      captured = failedHost(host.name, host.role, error instanceof Error ? error.message : String(error));
    }
  }
  const state = captured.status === 'complete' ? 'done' : captured.status;
  report({ host: host.name, role: host.role, state, ...(captured.error ? { reason: captured.error } : {}) });
  return captured;
}

/** Collects every discovered host into one bundle, the hosts in the order they were discovered. */
export async function collectDiscovered(discovery: Discovery, control: CaptureControl = {}): Promise<CaptureBundle> {
  const { hosts } = discovery;
  let finished = 0;
  const report: Report = (p) => {
    if (p.state !== 'running') finished++;
    control.onProgress?.({ ...p, finished, total: hosts.length });
  };
  const captured = await mapWithLimit(hosts, discovery.concurrency, (host) => collectOne(host, control.signal, report));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: discovery.createdAt,
    source: discovery.source,
    hosts: captured,
    ...(discovery.cluster ? { cluster: discovery.cluster } : {}),
  };
}
