/**
 * The process's auth state: its configuration (read once), the signing key (from the database, so sessions and
 * share links outlive restarts and hold across replicas), and the Kubernetes reviewer (made on first use).
 */
import { getStore } from '@/lib/store';
import { authConfigFromEnv, type AuthConfig } from './config';
import { identify, type Caller } from './identity';
import { kubeReviewer, loadKubeConfig, type KubeReviewer } from './kube';

const holder = globalThis as typeof globalThis & {
  __tunnelscopeAuth?: { config: AuthConfig; secret?: Promise<string>; kube?: KubeReviewer };
};

function state() {
  holder.__tunnelscopeAuth ??= { config: authConfigFromEnv() };
  return holder.__tunnelscopeAuth;
}

export function authConfig(): AuthConfig {
  return state().config;
}

/** Forgets what was read from the environment and the database; the next request reads them again. */
export function resetAuth(): void {
  holder.__tunnelscopeAuth = undefined;
}

export function signingSecret(): Promise<string> {
  const s = state();
  if (!s.secret) {
    const secret = getStore().serverSecret('signing');
    s.secret = secret;
    secret.catch(() => {
      if (s.secret === secret) s.secret = undefined;
    });
  }
  return s.secret;
}

function kube(): KubeReviewer {
  const s = state();
  s.kube ??= kubeReviewer(loadKubeConfig(s.config.kubeconfig));
  return s.kube;
}

export function callerOf(headers: Headers): Promise<Caller | null> {
  return identify(headers, { config: authConfig(), secret: signingSecret, kube });
}
