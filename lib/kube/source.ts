/**
 * The "kube" source: discovery through the API server, then one exec per host (a node through the agent
 * DaemonSet's pod or a debug pod, a peer pod's VM through the peer pod itself), a bounded number at a time.
 * A host that fails, hangs or is refused is recorded as failed or partial with its reason; the bundle stands.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { CaptureBundle, HostCapture, HostRole } from '@/lib/capture/types';
import { collectDiscovered, failedHost, type CaptureControl, type Discovery } from '@/lib/sources/source';
import { clusterName, loadKubeConfig, type KubeAccess } from './config';
import { collectThroughPod } from './collect-host';
import { collectPodVm } from './pod-vm';
import { loadSshAccess, type SshAccess } from './ssh';
import type { PodVmSshOptions } from './ssh-settings';
import { HOST_ENTER, removeLeftoverDebugPods, withDebugPod, DEFAULT_DEBUG_IMAGE } from './debug-pod';
import { cniAgentContainer } from './cni';
import { discoverCluster, isPeerPod, type DiscoveredPod } from './discover';
import { KubeError, withRetries } from './errors';
import type { KubeMode } from './modes';

export { KUBE_MODES, type KubeMode } from './modes';

/** The namespace of deploy/agent.yaml, where debug pods are made too (both need the privileged Pod Security level). */
export const AGENT_NAMESPACE = 'tunnelscope-agent';
export const AGENT_SELECTOR = 'app.kubernetes.io/name=tunnelscope-agent';

export interface KubeCaptureOptions extends KubeAccess, CaptureControl {
  /** The collector script's text (public/tunnelscope-collect.sh). */
  script: string;
  mode?: KubeMode;
  /** Only these nodes; or the nodes a label selector picks. */
  nodes?: readonly string[];
  selector?: string;
  /** Also reach peer-pod VMs (SSH when configured, else or then exec into each peer pod). */
  podVms?: boolean;
  /** SSH to pod VMs: the key, known_hosts, user and port. */
  podVmSsh?: PodVmSshOptions;
  peerPodRuntimeClass?: string;
  agentNamespace?: string;
  agentSelector?: string;
  debugNamespace?: string;
  debugImage?: string;
  /** Hosts collected at once (default 20). */
  concurrency?: number;
  /** Budget per host (default 300 s), creating a debug pod included. */
  hostTimeoutMs?: number;
}

/** What a kube capture may be told: the collector script the source reads itself, progress and cancel as for any source. */
export type KubeSourceOptions = Omit<KubeCaptureOptions, 'script' | keyof CaptureControl>;

interface Target {
  name: string;
  role: HostRole;
  collect: (timeoutMs: number, signal?: AbortSignal) => Promise<HostCapture>;
}

async function selectedNodes(kc: KubeConfig, all: readonly string[], opts: KubeCaptureOptions): Promise<string[]> {
  let names = [...all];
  if (opts.nodes?.length) {
    const unknown = opts.nodes.filter((n) => !all.includes(n));
    if (unknown.length) throw new KubeError(`no such node in the cluster: ${unknown.join(', ')}`);
    names = names.filter((n) => opts.nodes?.includes(n));
  }
  if (opts.selector) {
    const core = kc.makeApiClient(CoreV1Api);
    const picked = await withRetries({ verb: 'list', resource: 'nodes' }, () => core.listNode({ labelSelector: opts.selector }));
    const keep = new Set(picked.items.map((n) => n.metadata?.name ?? ''));
    names = names.filter((n) => keep.has(n));
  }
  return names;
}

function matchesSelector(labels: Record<string, string>, selector: string): boolean {
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return labels[key.trim()] === value?.trim();
  });
}

function agentTargets(kc: KubeConfig, nodes: readonly string[], pods: readonly DiscoveredPod[], opts: KubeCaptureOptions): Target[] {
  const namespace = opts.agentNamespace ?? AGENT_NAMESPACE;
  const selector = opts.agentSelector ?? AGENT_SELECTOR;
  const agents = new Map<string, DiscoveredPod>();
  for (const pod of pods) {
    if (pod.namespace === namespace && pod.nodeName && pod.phase === 'Running' && matchesSelector(pod.labels, selector)) agents.set(pod.nodeName, pod);
  }
  return nodes.map((node): Target => {
    const agent = agents.get(node);
    return {
      name: node,
      role: 'worker',
      collect: async (timeoutMs, signal) => {
        if (!agent) return failedHost(node, 'worker', `no running Tunnelscope agent pod on this node (namespace ${namespace}, selector ${selector}); install deploy/agent.yaml or use --mode debug`);
        const run = { pod: { namespace, name: agent.name, container: agent.containers[0] }, enter: [], scriptArgs: ['--role', 'worker'] };
        return collectThroughPod(kc, opts.script, run, { name: node, role: 'worker', timeoutMs, signal });
      },
    };
  });
}

function debugTargets(kc: KubeConfig, nodes: readonly string[], opts: KubeCaptureOptions, hostTimeoutMs: number): Target[] {
  const namespace = opts.debugNamespace ?? AGENT_NAMESPACE;
  return nodes.map((node): Target => ({
    name: node,
    role: 'worker',
    collect: async (timeoutMs, signal) => {
      const { value: host, leftover } = await withDebugPod(kc, node, { namespace, image: opts.debugImage ?? DEFAULT_DEBUG_IMAGE, lifetimeMs: hostTimeoutMs, signal }, (pod) => {
        const run = { pod, enter: HOST_ENTER, scriptArgs: ['--role', 'worker'] };
        return collectThroughPod(kc, opts.script, run, { name: node, role: 'worker', timeoutMs, signal });
      });
      if (!leftover) return host;
      return { ...host, status: host.status === 'complete' ? 'partial' : host.status, error: host.error ? `${host.error}; ${leftover}` : leftover };
    },
  }));
}

/** cni-pod mode: the CNI's node agent already runs privileged in the host's network namespace on every node. */
function cniPodTargets(kc: KubeConfig, nodes: readonly string[], pods: readonly DiscoveredPod[], opts: KubeCaptureOptions): Target[] {
  const agents = new Map<string, DiscoveredPod>();
  for (const pod of pods) if (pod.cniAgent && pod.nodeName && pod.phase === 'Running') agents.set(pod.nodeName, pod);
  return nodes.map((node): Target => {
    const agent = agents.get(node);
    return {
      name: node,
      role: 'worker',
      collect: async (timeoutMs, signal) => {
        if (!agent?.cniAgent)
          return failedHost(node, 'worker', 'no running agent pod of a known CNI (OVN-Kubernetes, Cilium, flannel, Calico, Antrea, Kube-OVN) on this node; use --mode agent or debug');
        const container = cniAgentContainer(agent.cniAgent, agent.containers);
        const run = { pod: { namespace: agent.namespace, name: agent.name, container }, enter: [], scriptArgs: ['--role', 'worker'] };
        return collectThroughPod(kc, opts.script, run, { name: node, role: 'worker', timeoutMs, signal });
      },
    };
  });
}

/** Each running peer pod's VM (lib/kube/pod-vm.ts: SSH when a key is given, then exec into the peer pod). */
function podVmTargets(kc: KubeConfig, pods: readonly DiscoveredPod[], runtimeClass: string, opts: KubeCaptureOptions, ssh: PodVmSsh | undefined): Target[] {
  return pods
    .filter((pod) => isPeerPod(pod, runtimeClass) && pod.phase === 'Running')
    .map((pod): Target => ({
      name: `${pod.namespace}/${pod.name}`,
      role: 'podvm',
      collect: (timeoutMs, signal) => collectPodVm(kc, { pod, script: opts.script, timeoutMs, signal, ...(ssh ? { ssh: { access: ssh.access, worker: ssh.workers.get(pod.nodeName ?? '') } } : {}) }),
    }));
}

/**
 * SSH to pod VMs, with each worker's capture as it is collected (the VM's address is read from it). A key or
 * known_hosts that cannot be read fails SSH for every VM with that reason; the nodes and the other ways still run.
 */
interface PodVmSsh {
  access: SshAccess | { reason: string };
  workers: Map<string, Promise<HostCapture>>;
}

/**
 * Node targets whose captures are kept for the pod VMs' SSH addresses. Nodes are listed before pod VMs and the
 * shared loop starts hosts in order, so a pod VM only waits for a node that has started.
 */
function keepingCaptures(targets: Target[], workers: Map<string, Promise<HostCapture>>): Target[] {
  return targets.map((t) => ({
    ...t,
    collect: (timeoutMs, signal) => {
      const capture = t.collect(timeoutMs, signal);
      workers.set(t.name, capture);
      return capture;
    },
  }));
}

async function sshAccessOrReason(kc: KubeConfig, opts: PodVmSshOptions): Promise<SshAccess | { reason: string }> {
  try {
    return await loadSshAccess(kc, opts);
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Discovers the cluster: its nodes (and peer-pod VMs when asked), each with the exec that collects it. Throws when discovery fails. */
export async function discoverKube(opts: KubeCaptureOptions): Promise<Discovery> {
  const kc = loadKubeConfig(opts);
  const name = clusterName(kc);
  const createdAt = new Date().toISOString();
  const runtimeClass = opts.peerPodRuntimeClass ?? 'kata-remote';
  const { cluster, pods } = await discoverCluster(kc, { name, peerPodRuntimeClass: runtimeClass });
  const nodes = await selectedNodes(
    kc,
    cluster.nodes.map((n) => n.name),
    opts,
  );
  const mode = opts.mode ?? 'agent';
  const hostTimeoutMs = opts.hostTimeoutMs ?? 300_000;
  if (mode === 'debug') await removeLeftoverDebugPods(kc, opts.debugNamespace ?? AGENT_NAMESPACE).catch(() => []);
  const nodeTargets = mode === 'agent' ? agentTargets(kc, nodes, pods, opts) : mode === 'debug' ? debugTargets(kc, nodes, opts, hostTimeoutMs) : cniPodTargets(kc, nodes, pods, opts);
  const ssh = opts.podVms && opts.podVmSsh ? { access: await sshAccessOrReason(kc, opts.podVmSsh), workers: new Map<string, Promise<HostCapture>>() } : undefined;
  const targets = [...(ssh ? keepingCaptures(nodeTargets, ssh.workers) : nodeTargets), ...(opts.podVms ? podVmTargets(kc, pods, runtimeClass, opts, ssh) : [])];
  return {
    source: { kind: 'kube', detail: `context ${kc.getCurrentContext()}, ${mode} mode` },
    createdAt,
    hosts: targets.map((t) => ({ name: t.name, role: t.role, collect: (signal) => t.collect(hostTimeoutMs, signal) })),
    cluster,
    concurrency: opts.concurrency ?? 20,
  };
}

/** Discovers the cluster and collects its hosts. Throws only when discovery fails. */
export async function captureKube(opts: KubeCaptureOptions): Promise<CaptureBundle> {
  return collectDiscovered(await discoverKube(opts), opts);
}
