/** The commands that take captures from a source and store them: collect and snapshot. */
import { stringOption, UsageError, type ParsedArgs } from './args';
import { loadBundle } from './input';
import { writeOutput, type Io } from './io';
import { serializeBundle } from '@/lib/capture/bundle/bundle';
import type { CaptureBundle } from '@/lib/capture/types';
import { CAPTURE_KINDS, isCaptureKind, type CaptureKind } from '@/lib/capture/source-kinds';
import type { KubeSourceOptions } from '@/lib/kube/source';
import { captureFromSource, type SourceOptions } from '@/lib/sources';
import type { HostProgress } from '@/lib/sources/source';
import { isKubeMode, KUBE_MODES } from '@/lib/kube/modes';
import type { PodVmSshOptions } from '@/lib/kube/ssh-settings';
import { isObjectRef, objectRefRule } from '@/lib/kube/object-ref';

function clusterObject(args: ParsedArgs, name: string, kind: string): string | undefined {
  const value = stringOption(args, name);
  if (value !== undefined && !isObjectRef(value)) throw new UsageError(`--${name} ${objectRefRule(kind)}, not "${value}"`);
  return value;
}

function sourceKind(value: string | undefined): CaptureKind {
  if (!value) throw new UsageError(`--source is required (${CAPTURE_KINDS.join('|')})`);
  if (!isCaptureKind(value)) throw new UsageError(`unknown source "${value}" (expected ${CAPTURE_KINDS.join('|')})`);
  return value;
}

function positiveInteger(args: ParsedArgs, name: string): number | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,5}$/.test(value)) throw new UsageError(`--${name} needs a positive whole number, not "${value}"`);
  return Number(value);
}

const hostLine = (p: HostProgress) => `[${p.finished}/${p.total}] ${p.host} ${p.state}${p.reason ? `: ${p.reason}` : ''}`;

/** `[#########---------------]  5/12 · 3 running · 1 failed` */
export function progressBar(finished: number, total: number, running: number, failed: number, width = 24): string {
  const filled = total > 0 ? Math.round((finished / total) * width) : 0;
  const parts = [`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(finished).padStart(String(total).length)}/${total}`];
  if (running) parts.push(`${running} running`);
  if (failed) parts.push(`${failed} failed`);
  return parts.join(' · ');
}

/**
 * On a terminal, a bar redrawn as hosts finish, with a line above it for each host that failed or is partial; where
 * standard error is a log, a line per host as it finishes: `[3/12] node-a partial: no answer within 300 s`.
 */
export function progressPrinter(io: Io): (p: HostProgress) => void {
  const { status } = io;
  if (!status) {
    return (p) => {
      if (p.state !== 'running') io.err(hostLine(p));
    };
  }
  const running = new Set<string>();
  let failed = 0;
  return (p) => {
    if (p.state === 'running') running.add(p.host);
    else running.delete(p.host);
    if (p.state === 'failed' || p.state === 'partial') {
      failed++;
      status(null);
      io.err(hostLine(p));
    }
    status(p.finished === p.total ? null : progressBar(p.finished, p.total, running.size, failed));
  };
}

/** SSH to pod VMs from the command line; skipping host key checks is said on every run that does it. */
function podVmSsh(args: ParsedArgs, io: Io): PodVmSshOptions | undefined {
  const keyFile = stringOption(args, 'pod-vm-ssh-key');
  const keySecret = clusterObject(args, 'pod-vm-ssh-secret', 'Secret');
  if (keyFile && keySecret) throw new UsageError('give --pod-vm-ssh-key or --pod-vm-ssh-secret, not both');
  if (!keyFile && !keySecret) return undefined;
  if (args.options['pod-vms'] !== true) throw new UsageError('SSH to pod VMs needs --pod-vms');
  const skipHostKeyCheck = args.options['pod-vm-ssh-no-host-key-check'] === true;
  const knownHostsFile = stringOption(args, 'pod-vm-known-hosts');
  const knownHostsConfigMap = clusterObject(args, 'pod-vm-known-hosts-configmap', 'ConfigMap');
  if (knownHostsFile && knownHostsConfigMap) throw new UsageError('give --pod-vm-known-hosts or --pod-vm-known-hosts-configmap, not both');
  if (skipHostKeyCheck && (knownHostsFile || knownHostsConfigMap)) throw new UsageError('give known_hosts or --pod-vm-ssh-no-host-key-check, not both');
  if (skipHostKeyCheck) io.err('tunnelscope: WARNING: pod VM host keys are NOT checked (--pod-vm-ssh-no-host-key-check); every VM reached so says so in the bundle');
  const port = positiveInteger(args, 'pod-vm-ssh-port');
  return {
    ...(keyFile ? { keyFile } : { keySecret }),
    knownHostsFile,
    ...(knownHostsConfigMap ? { knownHostsConfigMap } : {}),
    user: stringOption(args, 'pod-vm-ssh-user'),
    ...(port ? { port } : {}),
    skipHostKeyCheck,
  };
}

/** The kube source's choices from the command line; Ctrl-C cancels the work on the nodes (debug pods are removed). */
function kubeOptions(args: ParsedArgs, io: Io): SourceOptions {
  const mode = stringOption(args, 'mode') ?? 'agent';
  if (!isKubeMode(mode)) throw new UsageError(`unknown mode "${mode}" (expected ${KUBE_MODES.join('|')})`);
  const nodes = stringOption(args, 'nodes');
  const selector = stringOption(args, 'selector');
  if (nodes && selector) throw new UsageError('give --nodes or --selector, not both');
  const hostTimeout = positiveInteger(args, 'host-timeout');
  const controller = new AbortController();
  process.once('SIGINT', () => {
    io.status?.(null);
    io.err('cancelling: hosts not yet collected are left out, debug pods are deleted (Ctrl-C again to quit at once)');
    controller.abort();
  });
  const kube: KubeSourceOptions = {
    kubeconfig: stringOption(args, 'kubeconfig'),
    context: stringOption(args, 'context'),
    mode,
    ...(nodes ? { nodes: nodes.split(',').filter(Boolean) } : {}),
    ...(selector ? { selector } : {}),
    podVms: args.options['pod-vms'] === true,
    podVmSsh: podVmSsh(args, io),
    peerPodRuntimeClass: stringOption(args, 'runtime-class'),
    debugImage: stringOption(args, 'debug-image'),
    concurrency: positiveInteger(args, 'concurrency'),
    ...(hostTimeout ? { hostTimeoutMs: hostTimeout * 1000 } : {}),
  };
  return { kube, signal: controller.signal, onProgress: progressPrinter(io) };
}

function sourceOptions(kind: CaptureKind, args: ParsedArgs, io: Io): SourceOptions {
  return kind === 'kube' ? kubeOptions(args, io) : {};
}

export async function cmdCollect(args: ParsedArgs, io: Io): Promise<number> {
  const kind = sourceKind(stringOption(args, 'source'));
  const bundle = await captureFromSource(kind, sourceOptions(kind, args, io));
  await writeOutput(stringOption(args, 'o', 'output'), serializeBundle(bundle), io);
  const partial = bundle.hosts.filter((h) => h.status !== 'complete');
  io.err(`collected ${bundle.hosts.length} host(s)${partial.length ? `, partial: ${partial.map((h) => h.name).join(', ')}` : ''}`);
  return 0;
}

function publicUrl(): string {
  return (process.env.TUNNELSCOPE_PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
}

export async function createSnapshot(bundle: CaptureBundle, title: string | undefined, server: string | undefined): Promise<string> {
  if (server) {
    const response = await fetch(`${server.replace(/\/$/, '')}/api/snapshots`, {
      method: 'POST',
      // A server with access control wants a collector's token (TUNNELSCOPE_TOKEN); it never goes in a log line.
      headers: { 'content-type': 'application/json', ...(process.env.TUNNELSCOPE_TOKEN ? { authorization: `Bearer ${process.env.TUNNELSCOPE_TOKEN}` } : {}) },
      body: JSON.stringify({ bundle, title }),
    });
    // POST /api/snapshots answers 201 with { snapshot: meta, url: "/s/<id>" }, or an { error } body.
    const body = (await response.json().catch(() => ({}))) as { snapshot?: { id?: unknown }; error?: { message?: string } };
    const id = body.snapshot?.id;
    if (!response.ok || typeof id !== 'string') {
      throw new UsageError(`the server refused the snapshot (HTTP ${response.status}): ${body.error?.message ?? 'no details'}`);
    }
    return `${server.replace(/\/$/, '')}/s/${id}`;
  }
  // The database drivers load only for a snapshot stored here, not for one sent to a server.
  const [{ getStore, closeStore }, snapshots] = await Promise.all([import('@/lib/store'), import('@/lib/serve/snapshots')]);
  try {
    const meta = await snapshots.createSnapshot(getStore(), { bundle, title });
    return `${publicUrl()}/s/${meta.id}`;
  } finally {
    await closeStore();
  }
}

export async function cmdSnapshot(args: ParsedArgs, io: Io): Promise<number> {
  const source = stringOption(args, 'source');
  // A snapshot is stored and sent as one document, so its input is read as one string, within import's limit.
  const kind = source ? sourceKind(source) : undefined;
  const bundle = kind ? await captureFromSource(kind, sourceOptions(kind, args, io)) : await loadBundle(args.positionals, io, false);
  io.out(await createSnapshot(bundle, stringOption(args, 'title'), stringOption(args, 'server')));
  return 0;
}
