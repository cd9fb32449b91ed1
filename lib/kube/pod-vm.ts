/**
 * A peer pod's VM, reached the best way that works, the others tried in turn with the reason each gave up:
 * SSH first when a key is given (the VM's root namespace and its podns), then exec into the peer pod (podns only:
 * the agent-protocol-forwarder runs every container there). A VM no way reached is a failed host that names its pod,
 * so the topology still shows it with the tunnel settings its worker recorded.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { unreachedPodVmName, type PodVmReach, type PodVmWay } from '@/lib/capture/pod-vm';
import type { HostCapture } from '@/lib/capture/types';
import { parseHost } from '@/lib/parse';
import type { HostState } from '@/lib/parse/types';
import { hostFromOutput, scriptArgv } from '@/lib/capture/collect/script-host';
import { collectThroughPod, type ScriptRun } from './collect-host';
import type { DiscoveredPod } from './discover';
import { runOverSsh, type SshAccess } from './ssh';

/** SSH was not configured: recorded among the ways passed over, but no reason the VM failed. */
const NO_KEY = 'no SSH key was given';

export interface PodVmTarget {
  pod: DiscoveredPod;
  script: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * SSH when configured, with the capture of the pod's worker (where the VM's address is read); the reason
   * instead of the access when the key or known_hosts could not be read.
   */
  ssh?: { access: SshAccess | { reason: string }; worker: Promise<HostCapture> | undefined };
}

/** The VM's address as its worker sends to it: the remote of the tunnel device in the namespace holding the pod IP. */
export function podVmAddress(worker: HostState, podIps: readonly string[]): string | undefined {
  for (const ns of worker.namespaces) {
    if (ns.netns === null) continue;
    const holds = ns.interfaces.some((i) => i.addresses.some((a) => podIps.includes(a.local)));
    if (!holds) continue;
    const remote = ns.interfaces.map((i) => i.vxlan?.remote ?? i.geneve?.remote).find((r) => r !== undefined);
    if (remote !== undefined) return remote;
  }
  return undefined;
}

function podIpsOf(pod: DiscoveredPod): string[] {
  return [...new Set([...(pod.ip ? [pod.ip] : []), ...(pod.ips ?? [])])];
}

async function addressFor(pod: DiscoveredPod, worker: Promise<HostCapture> | undefined): Promise<{ address: string } | { reason: string }> {
  if (!pod.nodeName) return { reason: 'the pod has no node, so no worker records its VM address' };
  if (!worker) return { reason: `its worker ${pod.nodeName} is not being collected, where the VM's address is read` };
  const capture = await worker.catch(() => undefined);
  if (!capture || capture.status === 'failed') return { reason: `its worker ${pod.nodeName} could not be collected, where the VM's address is read` };
  const state = parseHost(capture);
  const address = podVmAddress(state, podIpsOf(pod));
  return address ? { address } : { reason: `no tunnel on ${pod.nodeName} carries the pod's traffic to a VM address` };
}

async function overSsh(target: PodVmTarget, ssh: NonNullable<PodVmTarget['ssh']>): Promise<HostCapture | { reason: string }> {
  if ('reason' in ssh.access) return ssh.access;
  const where = await addressFor(target.pod, ssh.worker);
  if ('reason' in where) return where;
  const run = { enter: [], scriptArgs: ['--role', 'podvm'] };
  const result = await runOverSsh(ssh.access, where.address, scriptArgv(target.script, run), { timeoutMs: target.timeoutMs, signal: target.signal, stdin: Buffer.from(target.script) });
  const host = hostFromOutput(result.stdout, result, { role: 'podvm', fallbackName: unreachedPodVmName(target.pod) });
  return host.status === 'failed' ? { reason: host.error ?? 'failed' } : host;
}

function overExec(kc: KubeConfig, target: PodVmTarget): Promise<HostCapture> {
  const { pod } = target;
  const run: ScriptRun = { pod: { namespace: pod.namespace, name: pod.name, container: pod.containers[0] }, enter: [], scriptArgs: ['--role', 'podvm', '--no-netns'] };
  return collectThroughPod(kc, target.script, run, { name: null, fallbackName: unreachedPodVmName(pod), role: 'podvm', timeoutMs: target.timeoutMs, signal: target.signal });
}

export async function collectPodVm(kc: KubeConfig, target: PodVmTarget): Promise<HostCapture> {
  const pod = { namespace: target.pod.namespace, name: target.pod.name };
  const skipped: PodVmReach['skipped'] = [];
  const reached = (host: HostCapture, via: PodVmWay): HostCapture => ({
    ...host,
    podVm: { pod, via, skipped, ...(via === 'ssh' && target.ssh && 'knownHosts' in target.ssh.access && target.ssh.access.knownHosts === null ? { hostKeyUnchecked: true } : {}) },
  });
  if (target.ssh) {
    const host = await overSsh(target, target.ssh);
    if (!('reason' in host)) return reached(host, 'ssh');
    skipped.push({ way: 'ssh', reason: host.reason });
  } else skipped.push({ way: 'ssh', reason: NO_KEY });
  if (!target.signal?.aborted) {
    const host = await overExec(kc, target);
    // Exec sees podns only: a VM that SSH was asked for and failed is partial, with SSH's reason.
    if (host.status !== 'failed' && target.ssh) {
      const error = [host.error, `reached by exec, podns only; ssh: ${skipped[0]?.reason ?? ''}`].filter(Boolean).join('; ');
      return reached({ ...host, status: 'partial', error }, 'exec');
    }
    if (host.status !== 'failed') return reached(host, 'exec');
    skipped.push({ way: 'exec', reason: host.error ?? 'failed' });
  }
  const tried = skipped.filter((s) => s.reason !== NO_KEY);
  const error = target.signal?.aborted ? 'cancelled' : tried.length === 1 ? tried[0].reason : tried.map((s) => `${s.way}: ${s.reason}`).join('; ');
  return { name: unreachedPodVmName(target.pod), role: 'podvm', collectedAt: new Date().toISOString(), status: 'failed', error, namespaces: [], podVm: { pod, skipped } };
}
