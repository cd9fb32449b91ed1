/**
 * A Kubernetes cluster through the server's kubeconfig (lib/kube does the work): one exec per node, and per peer
 * pod's VM when asked. The client library loads only when a cluster is asked for.
 */
import { readFile } from 'node:fs/promises';
import { COLLECTOR_SCRIPT_PATH } from './files';
import type { KubeSourceOptions } from '@/lib/kube/source';
import { podVmSshFromEnv } from '@/lib/kube/ssh-settings';
import { SourceError, type Discovery, type Source } from './source';

/** The kube layer's errors are written for the user already; they become the source's own. */
async function asSourceError<T>(work: () => Promise<T>): Promise<T> {
  const [{ KubeAccessError }, { KubeError }] = await Promise.all([import('@/lib/kube/config'), import('@/lib/kube/errors')]);
  try {
    return await work();
  } catch (error) {
    if (error instanceof KubeAccessError || error instanceof KubeError) throw new SourceError(error.message);
    throw error;
  }
}

export const kubeSource: Source<'kube', { kube?: KubeSourceOptions }> = {
  kind: 'kube',
  async availability() {
    const { KubeAccessError, listContexts } = await import('@/lib/kube/config');
    try {
      listContexts();
      return { available: true };
    } catch (error) {
      const missing = error instanceof KubeAccessError;
      return { available: false, reason: missing ? 'This server has no kubeconfig (KUBECONFIG, ~/.kube/config or a service account).' : "This server's kubeconfig could not be read." };
    }
  },
  async discover(options): Promise<Discovery> {
    const script = await readFile(COLLECTOR_SCRIPT_PATH, 'utf8');
    const { discoverKube } = await import('@/lib/kube/source');
    const podVmSsh = options.kube?.podVmSsh ?? podVmSshFromEnv();
    return asSourceError(() => discoverKube({ ...options.kube, script, ...(podVmSsh ? { podVmSsh } : {}) }));
  },
};
