/**
 * The process's auth state: its configuration (read once), the signing key (from the database, so sessions and
 * share links outlive restarts and hold across replicas), and the Kubernetes reviewer (made on first use).
 */
import { getStore } from '@/lib/store';
import { authConfigFromEnv, type AuthConfig } from './config';
import { identify, identifyKnown, learned, type Caller, type HeaderReader } from './identity';
import { kubeReviewer, loadKubeConfig, type KubeReviewer } from './kube';

const holder = globalThis as typeof globalThis & {
  __tunnelscopeAuth?: { config: AuthConfig; secret?: Promise<string>; secretRead?: string; kube?: KubeReviewer };
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
    secret.then(
      (value) => {
        if (s.secret !== secret) return;
        s.secretRead = value;
        learned({ kind: 'secret', secret: value });
      },
      () => {
        if (s.secret === secret) s.secret = undefined;
      },
    );
  }
  return s.secret;
}

function kube(): KubeReviewer {
  const s = state();
  s.kube ??= kubeReviewer(loadKubeConfig(s.config.kubeconfig));
  return s.kube;
}

/** The signing key once signingSecret has read it. */
export function signingSecretRead(): string | undefined {
  return state().secretRead;
}

export function callerOf(headers: HeaderReader): Promise<Caller | null> {
  return identify(headers, { config: authConfig(), secret: signingSecret, kube });
}

/** callerOf's answer when it needs nothing that is not at hand yet (see identifyKnown), else undefined. */
export function callerKnown(headers: HeaderReader, now?: number): Caller | null | undefined {
  return identifyKnown(headers, { config: authConfig(), secret: signingSecretRead(), now });
}
