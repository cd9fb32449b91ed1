/**
 * One host, one exec: the collector script runs once in a pod that sees the host, and its output streams back into
 * the collector-output reader (lib/capture/collect/script-host.ts), so no host's whole text is ever held.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { CollectorOutputReader } from '@/lib/capture/collect/collector-output';
import { hostFromScript, scriptArgv } from '@/lib/capture/collect/script-host';
import type { HostCapture, HostRole } from '@/lib/capture/types';
import { execInPod, type PodRef } from './exec';

export interface ScriptRun {
  pod: PodRef;
  /** argv that enters the host's namespaces before the script runs (debug pods: nsenter -t 1 -m -n --). */
  enter: readonly string[];
  scriptArgs: readonly string[];
}

/**
 * Runs the collector in a pod and reads its output as it streams in.
 * `name` null keeps the host name the collector printed (a pod VM's own), `fallbackName` when it printed nothing.
 */
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
  const fallbackName = target.fallbackName ?? target.name ?? 'unknown';
  return hostFromScript(reader, result, { ...(target.name === null ? {} : { name: target.name }), role: target.role, fallbackName });
}
