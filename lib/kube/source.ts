/**
 * The "kube" source: discovery through the API server, then one exec per host (a node through the agent
 * DaemonSet's pod or a debug pod, a peer pod's VM through the peer pod itself), a bounded number at a time.
 * A host that fails, hangs or is refused is recorded as failed or partial with its reason; the bundle stands.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { mapWithLimit } from '@/lib/capture/collect/pool';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type CaptureBundle, type HostCapture, type HostRole } from '@/lib/capture/types';
import { clusterName, loadKubeConfig, type KubeAccess } from './config';
import { collectThroughPod } from './collect-host';
import { HOST_ENTER, removeLeftoverDebugPods, withDebugPod, DEFAULT_DEBUG_IMAGE } from './debug-pod';
import { cniAgentContainer } from './cni';
import { discoverCluster, isPeerPod, type DiscoveredPod } from './discover';
import { KubeError, withRetries } from './errors';
import type { HostProgress, KubeMode } from './modes';

export { KUBE_MODES, type HostProgress, type KubeMode } from './modes';

/** The namespace of deploy/agent.yaml, where debug pods are made too (both need the privileged Pod Security level). */
export const AGENT_NAMESPACE = 'tunnelscope-agent';
export const AGENT_SELECTOR = 'app.kubernetes.io/name=tunnelscope-agent';

export interface KubeCaptureOptions extends KubeAccess {
  /** The collector script's text (public/tunnelscope-collect.sh). */
  script: string;
  mode?: KubeMode;
  /** Only these nodes; or the nodes a label selector picks. */
  nodes?: readonly string[];
  selector?: string;
  /** Also reach peer-pod VMs (by exec into each peer pod). */
  podVms?: boolean;
  peerPodRuntimeClass?: string;
  agentNamespace?: string;
  agentSelector?: string;
  debugNamespace?: string;
  debugImage?: string;
  /** Hosts collected at once (default 20). */
  concurrency?: number;
  /** Budget per host (default 300 s), creating a debug pod included. */
  hostTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: HostProgress) => void;
}

interface Target {
  name: string;
  role: HostRole;
  collect: (timeoutMs: number, signal?: AbortSignal) => Promise<HostCapture>;
}

function failed(name: string, role: HostRole, error: string): HostCapture {
  return { name, role, collectedAt: new Date().toISOString(), status: 'failed', error, namespaces: [] };
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
        if (!agent) return failed(node, 'worker', `no running Tunnelscope agent pod on this node (namespace ${namespace}, selector ${selector}); install deploy/agent.yaml or use --mode debug`);
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
        if (!agent?.cniAgent) return failed(node, 'worker', 'no running agent pod of a known CNI (OVN-Kubernetes, Cilium, flannel, Calico, Antrea, Kube-OVN) on this node; use --mode agent or debug');
        const container = cniAgentContainer(agent.cniAgent, agent.containers);
        const run = { pod: { namespace: agent.namespace, name: agent.name, container }, enter: [], scriptArgs: ['--role', 'worker'] };
        return collectThroughPod(kc, opts.script, run, { name: node, role: 'worker', timeoutMs, signal });
      },
    };
  });
}

/** A peer pod's exec runs in its pod VM's `podns`: the pod's own interface, addresses, routes and neighbours. */
function podVmTargets(kc: KubeConfig, pods: readonly DiscoveredPod[], runtimeClass: string, opts: KubeCaptureOptions): Target[] {
  return pods
    .filter((pod) => isPeerPod(pod, runtimeClass) && pod.phase === 'Running')
    .map((pod): Target => ({
      name: `${pod.namespace}/${pod.name}`,
      role: 'podvm',
      collect: (timeoutMs, signal) => {
        const run = { pod: { namespace: pod.namespace, name: pod.name, container: pod.containers[0] }, enter: [], scriptArgs: ['--role', 'podvm', '--no-netns'] };
        // A VM that cannot be reached still appears, named after its pod, with the reason.
        return collectThroughPod(kc, opts.script, run, { name: null, fallbackName: `${pod.name}.${pod.namespace}.podvm`, role: 'podvm', timeoutMs, signal });
      },
    }));
}

type Report = (progress: Omit<HostProgress, 'finished' | 'total'>) => void;

async function collectTarget(target: Target, timeoutMs: number, opts: KubeCaptureOptions, report: Report): Promise<HostCapture> {
  report({ host: target.name, role: target.role, state: 'running' });
  let host: HostCapture;
  if (opts.signal?.aborted) host = failed(target.name, target.role, 'cancelled');
  else {
    try {
      host = await target.collect(timeoutMs, opts.signal);
    } catch (error) {
      host = failed(target.name, target.role, error instanceof Error ? error.message : String(error));
    }
  }
  const state = host.status === 'complete' ? 'done' : host.status;
  report({ host: target.name, role: target.role, state, ...(host.error ? { reason: host.error } : {}) });
  return host;
}

/** Discovers the cluster and collects its nodes (and peer-pod VMs when asked). Throws only when discovery fails. */
export async function captureKube(opts: KubeCaptureOptions): Promise<CaptureBundle> {
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
  const targets = [...nodeTargets, ...(opts.podVms ? podVmTargets(kc, pods, runtimeClass, opts) : [])];
  let finished = 0;
  const report: Report = (p) => {
    if (p.state !== 'running') finished++;
    opts.onProgress?.({ ...p, finished, total: targets.length });
  };
  const hosts = await mapWithLimit(targets, opts.concurrency ?? 20, (t) => collectTarget(t, hostTimeoutMs, opts, report));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt,
    source: { kind: 'kube', detail: `context ${kc.getCurrentContext()}, ${mode} mode` },
    hosts,
    cluster,
  };
}
