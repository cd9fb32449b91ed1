/**
 * Sources: where a capture comes from. Each source turns into hosts + runners, and the capture layer collects.
 * The kube source (lib/kube) reaches a live cluster's nodes and peer-pod VMs through the API server.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type CaptureBundle } from '@/lib/capture/types';
import { collectHost, collectHosts } from '@/lib/capture/collect/collect';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import { labStatus } from '@/lib/lab';
import type { KubeCaptureOptions } from '@/lib/kube/source';

export type SourceKind = 'lab' | 'local' | 'sample' | 'kube';

export const SOURCE_KINDS: readonly SourceKind[] = ['lab', 'local', 'sample', 'kube'];

/** What a kube capture may be told: everything but the collector script, which the source reads itself. */
export type KubeSourceOptions = Omit<KubeCaptureOptions, 'script'>;

export interface SourceOptions {
  kube?: KubeSourceOptions;
}

/**
 * The checkout Tunnelscope runs from: the command line names it (bin/tunnelscope.mjs sets TUNNELSCOPE_HOME, since
 * it may run from any directory); the dashboard is started in it.
 */
export const PROJECT_HOME = process.env.TUNNELSCOPE_HOME ?? process.cwd();

/** A bundle captured from the lab's default scenario, shipped for machines where the lab cannot run. */
export const SAMPLE_BUNDLE_PATH = path.join(/*turbopackIgnore: true*/ PROJECT_HOME, 'public', 'samples', 'peerpod-incident.bundle.json');

/** The collector script users download; the kube source runs the same text on every host. */
export const COLLECTOR_SCRIPT_PATH = path.join(/*turbopackIgnore: true*/ PROJECT_HOME, 'public', 'tunnelscope-collect.sh');

export class SourceError extends Error {}

export async function captureFromSource(kind: SourceKind, options: SourceOptions = {}): Promise<CaptureBundle> {
  switch (kind) {
    case 'kube':
      return captureCluster(options.kube ?? {});
    case 'lab':
      return captureLab();
    case 'local':
      return captureLocal();
    case 'sample':
      return loadSampleBundle();
  }
}

async function captureLab(): Promise<CaptureBundle> {
  const status = await labStatus({ probe: false });
  if (!status) throw new SourceError('No lab is running. Start one with: tunnelscope lab up');
  const local = new LocalRunner();
  const bundle = await collectHosts(status.hosts.map((host) => ({ name: host.name, role: host.role, runner: new PrefixRunner(host.enter, local) })));
  return { ...bundle, source: { kind: 'lab', detail: `scenario ${status.scenario}` } };
}

async function captureCluster(options: KubeSourceOptions): Promise<CaptureBundle> {
  const script = await readFile(COLLECTOR_SCRIPT_PATH, 'utf8');
  // The client library loads only when a cluster is asked for.
  const [{ captureKube }, { KubeAccessError }, { KubeError }] = await Promise.all([import('@/lib/kube/source'), import('@/lib/kube/config'), import('@/lib/kube/errors')]);
  try {
    return await captureKube({ ...options, script });
  } catch (error) {
    if (error instanceof KubeAccessError || error instanceof KubeError) throw new SourceError(error.message);
    throw error;
  }
}

async function captureLocal(): Promise<CaptureBundle> {
  const host = await collectHost(new LocalRunner(), {});
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: new Date().toISOString(),
    source: { kind: 'local', detail: host.name },
    hosts: [host],
  };
}

export async function loadSampleBundle(): Promise<CaptureBundle> {
  const text = await readFile(SAMPLE_BUNDLE_PATH, 'utf8');
  const parsed = parseBundle(JSON.parse(text) as unknown);
  if (!parsed.ok) throw new SourceError(`The bundled sample capture is invalid: ${parsed.error}`);
  return parsed.bundle;
}
