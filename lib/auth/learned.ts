/**
 * What the access decision learns by waiting (the signing key read from the database, a Kubernetes review, a page
 * view put on record), told to whoever decides the same requests elsewhere without waiting: the front thread
 * (lib/serve/front-thread.ts), which answers kept snapshot answers outside Next.js's thread.
 */
import type { Caller } from './identity';

export type AuthFact =
  | { kind: 'secret'; secret: string }
  /** A review held for the token of this SHA-256 digest until `until` (ms since the epoch). */
  | { kind: 'kube'; digest: string; caller: Caller; until: number }
  /** A page view on record at `at` (lib/auth/views.ts's key). */
  | { kind: 'view'; key: string; at: number };

const listeners = new Set<(fact: AuthFact) => void>();

/** Calls `listener` with every fact learned from now on; the returned function stops it. */
export function onLearned(listener: (fact: AuthFact) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function learned(fact: AuthFact): void {
  for (const listener of listeners) listener(fact);
}
