/**
 * debug mode, like `kubectl debug node/X --profile=sysadmin`: a short-lived privileged pod pinned to the node,
 * in the host's network and PID namespaces, that enters the host's mount and network namespaces through PID 1.
 * It is labelled as Tunnelscope's and deleted after success, failure, timeout and cancel; pods an interrupted run
 * left behind are found by label and removed by the next run.
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { KubeError, withRetries } from './errors';

export const DEBUG_LABELS = { 'app.kubernetes.io/managed-by': 'tunnelscope', 'app.kubernetes.io/component': 'node-debug' } as const;
export const DEBUG_SELECTOR = Object.entries(DEBUG_LABELS)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');
export const DEBUG_EXPIRES_ANNOTATION = 'tunnelscope.dev/expires';
export const DEFAULT_DEBUG_IMAGE = 'nicolaka/netshoot:v0.13';
export const HOST_ENTER = ['nsenter', '-t', '1', '-m', '-n', '--'] as const;
const CONTAINER = 'debugger';
const POLL_MS = 250;

export interface DebugPodOptions {
  namespace: string;
  image: string;
  /** The pod's whole life: it sleeps this long, then ends by itself if nobody deleted it. */
  lifetimeMs: number;
  signal?: AbortSignal;
}

export function debugPodManifest(node: string, opts: Pick<DebugPodOptions, 'namespace' | 'image' | 'lifetimeMs'>, now = Date.now()): V1Pod {
  const seconds = Math.max(1, Math.ceil(opts.lifetimeMs / 1000));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'tunnelscope-debug-',
      namespace: opts.namespace,
      labels: { ...DEBUG_LABELS },
      annotations: { [DEBUG_EXPIRES_ANNOTATION]: new Date(now + seconds * 1000).toISOString(), 'tunnelscope.dev/node': node },
    },
    spec: {
      nodeName: node,
      hostNetwork: true,
      hostPID: true,
      restartPolicy: 'Never',
      activeDeadlineSeconds: seconds,
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      automountServiceAccountToken: false,
      containers: [{ name: CONTAINER, image: opts.image, command: ['sleep', String(seconds)], securityContext: { privileged: true } }],
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitRunning(core: CoreV1Api, name: string, opts: DebugPodOptions, deadline: number): Promise<void> {
  for (;;) {
    const pod = await withRetries({ verb: 'get', resource: 'pods', namespace: opts.namespace }, () => core.readNamespacedPod({ name, namespace: opts.namespace }));
    const phase = pod.status?.phase;
    if (phase === 'Running') return;
    if (phase === 'Failed' || phase === 'Succeeded') throw new KubeError(`the debug pod ${name} ended (${phase}) before it could collect`);
    if (opts.signal?.aborted) throw new KubeError('cancelled');
    if (Date.now() > deadline) {
      const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
      throw new KubeError(`the debug pod ${name} was not running in time${waiting?.reason ? ` (${waiting.reason})` : ''}`);
    }
    await sleep(POLL_MS);
  }
}

export async function deleteDebugPod(core: CoreV1Api, namespace: string, name: string): Promise<void> {
  try {
    await withRetries({ verb: 'delete', resource: 'pods', namespace }, () => core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }));
  } catch (error) {
    if (!(error instanceof KubeError) || !/not found/.test(error.message)) throw error;
  }
}

/** What a debug pod was used for, and why it is still there when it could not be deleted. */
export interface DebugPodOutcome<T> {
  value: T;
  leftover?: string;
}

/** Runs `work` with a running debug pod on the node; the pod is deleted whatever happens. */
export async function withDebugPod<T>(
  kc: KubeConfig,
  node: string,
  opts: DebugPodOptions,
  work: (pod: { namespace: string; name: string; container: string }) => Promise<T>,
): Promise<DebugPodOutcome<T>> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + opts.lifetimeMs;
  const created = await withRetries({ verb: 'create', resource: 'pods', namespace: opts.namespace }, () => core.createNamespacedPod({ namespace: opts.namespace, body: debugPodManifest(node, opts) }));
  const name = created.metadata?.name ?? '';
  let leftover: string | undefined;
  const cleanup = async (): Promise<void> => {
    try {
      await deleteDebugPod(core, opts.namespace, name);
    } catch (error) {
      leftover = `the debug pod ${opts.namespace}/${name} could not be deleted (it ends by itself after ${Math.ceil(opts.lifetimeMs / 1000)} s): ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  try {
    await waitRunning(core, name, opts, deadline);
    const value = await work({ namespace: opts.namespace, name, container: CONTAINER });
    await cleanup();
    return { value, ...(leftover ? { leftover } : {}) };
  } catch (error) {
    await cleanup();
    throw leftover ? new KubeError(`${error instanceof Error ? error.message : String(error)}; ${leftover}`) : error;
  }
}

/** Debug pods of earlier runs that ended or outlived their time: removed. Returns their names. */
export async function removeLeftoverDebugPods(kc: KubeConfig, namespace: string, now = Date.now()): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const list = await withRetries({ verb: 'list', resource: 'pods', namespace }, () => core.listNamespacedPod({ namespace, labelSelector: DEBUG_SELECTOR }));
  const stale = list.items.filter((pod) => {
    const expires = Date.parse(pod.metadata?.annotations?.[DEBUG_EXPIRES_ANNOTATION] ?? '');
    const ended = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    return ended || Number.isNaN(expires) || expires <= now;
  });
  const names = stale.map((pod) => pod.metadata?.name ?? '').filter(Boolean);
  await Promise.all(names.map((name) => deleteDebugPod(core, namespace, name)));
  return names;
}
