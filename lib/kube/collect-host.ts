/**
 * One host, one exec: the collector script (public/tunnelscope-collect.sh, the one users download) runs once in a
 * pod that sees the host, its output streams back and the collector-output reader imports it with every
 * command's own status.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { CollectorOutputReader } from '@/lib/capture/collect/collector-output';
import { redactHost } from '@/lib/capture/redact';
import type { HostCapture, HostRole } from '@/lib/capture/types';
import { execInPod, type PodExecResult, type PodRef } from './exec';

export interface ScriptRun {
  pod: PodRef;
  /** argv that enters the host's namespaces before the script runs (debug pods: nsenter -t 1 -m -n --). */
  enter: readonly string[];
  scriptArgs: readonly string[];
}

/**
 * The script travels on standard input, not in the URL (an exec's argv is its query string, which proxies and API
 * servers limit): `sh` reads exactly its byte count with `head -c` and evaluates it with the arguments as words.
 */
const READ_AND_RUN = 'n=$1; shift; eval "$(head -c "$n")"';

export function scriptArgv(script: string, run: Pick<ScriptRun, 'enter' | 'scriptArgs'>): string[] {
  return [...run.enter, 'sh', '-c', READ_AND_RUN, 'tunnelscope-collect', String(Buffer.byteLength(script)), ...run.scriptArgs];
}

function failedHost(name: string, role: HostRole, error: string): HostCapture {
  return { name, role, collectedAt: new Date().toISOString(), status: 'failed', error, namespaces: [] };
}

/** The capture `reader` read from an exec's output; what the exec itself said (cut, timeout, exit) lowers the status. */
export function hostFromReader(reader: CollectorOutputReader, name: string | null, role: HostRole, result: PodExecResult, fallbackName: string): HostCapture {
  if (!reader.printed) {
    const why = result.reason || result.stderr.trim().split('\n')[0] || 'the collector printed nothing';
    return failedHost(fallbackName, role, why);
  }
  const { hosts, problems } = reader.end();
  const read = hosts[0];
  if (!read) return failedHost(fallbackName, role, problems[0]?.message ?? 'the collector output could not be read');
  const host: HostCapture = { ...read, name: name ?? read.name, role };
  if (result.outcome === 'ok' && problems.length === 0) return redactHost(host);
  const reason = result.reason || problems[0]?.message || 'the collector did not finish';
  return redactHost({ ...host, status: host.status === 'failed' ? 'failed' : 'partial', error: reason });
}

/**
 * The capture read from an exec's whole output.
 * `name` null keeps the host name the collector printed (a pod VM's own), `fallbackName` when it printed nothing.
 */
export function hostFromExec(name: string | null, role: HostRole, result: PodExecResult, fallbackName = name ?? 'unknown'): HostCapture {
  const reader = new CollectorOutputReader();
  reader.write(result.stdout);
  return hostFromReader(reader, name, role, result, fallbackName);
}

/** Runs the collector in a pod and reads its output as it streams in, so no host's whole text is ever held. */
export async function collectThroughPod(
  kc: KubeConfig,
  script: string,
  run: ScriptRun,
  target: { name: string | null; fallbackName?: string; role: HostRole; timeoutMs: number; signal?: AbortSignal },
): Promise<HostCapture> {
  const reader = new CollectorOutputReader();
  const result = await execInPod(kc, run.pod, scriptArgv(script, run), {
    timeoutMs: target.timeoutMs,
    signal: target.signal,
    stdin: Buffer.from(script),
    onStdout: (text) => reader.write(text),
  });
  return hostFromReader(reader, target.name, target.role, result, target.fallbackName ?? target.name ?? 'unknown');
}
