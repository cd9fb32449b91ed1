/**
 * Who is calling, from the request headers alone, in the configured mode. The answer names a person: the
 * token's user, the proxy's user, the cluster's user; never the dashboard's service account.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthConfig, AuthMode } from './config';
import type { KubeReviewer } from './kube';
import { higher, roleForGroups, type Role } from './roles';
import { verifySession } from './signed';

export interface Caller {
  user: string;
  email?: string;
  groups: string[];
  role: Role | null;
  /** How the person signed in: the mode, or "share" for a share link's holder. */
  via: AuthMode | 'share';
  /** The client's address as the server saw it (the socket's peer). */
  address?: string;
}

/**
 * What the access decision learns by waiting (the signing key read from the database, a Kubernetes review, a page
 * view put on record), told to whoever decides the same requests elsewhere without waiting: the front thread
 * (lib/serve/front-thread.ts), which answers kept snapshot answers outside Next.js's thread.
 */
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

export const SESSION_COOKIE = 'tunnelscope_session';
/** Set by lib/auth/peer.ts on every request from the socket, replacing anything a client sent. */
export const PEER_HEADER = 'x-tunnelscope-peer';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Compares against every configured digest, so the time taken does not tell which one (or none) matched. */
export function matchToken(token: string, config: AuthConfig): AuthConfig['tokens'][number] | undefined {
  const given = Buffer.from(sha256Hex(token), 'hex');
  let found: AuthConfig['tokens'][number] | undefined;
  for (const entry of config.tokens) {
    if (timingSafeEqual(given, Buffer.from(entry.sha256, 'hex')) && !found) found = entry;
  }
  return found;
}

/** What the decisions read of a request's headers: a WHATWG Headers, or a view of Node's parsed ones (lib/serve/front.ts). */
export interface HeaderReader {
  get(name: string): string | null;
}

export function bearerToken(headers: HeaderReader): string | undefined {
  const match = /^Bearer\s+(\S{1,8192})\s*$/i.exec(headers.get('authorization') ?? '');
  return match?.[1];
}

export function cookie(headers: HeaderReader, name: string): string | undefined {
  for (const part of (headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** "::ffff:127.0.0.1" and "127.0.0.1" name the same peer. */
export function normaliseAddress(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

function headerList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function fromProxy(headers: HeaderReader, config: AuthConfig, address: string | undefined): Omit<Caller, 'role' | 'via'> | null {
  if (address === undefined || !config.trustedProxies.map(normaliseAddress).includes(address)) return null;
  const email = headers.get('x-forwarded-email')?.trim() || undefined;
  const user = headers.get('x-forwarded-preferred-username')?.trim() || headers.get('x-forwarded-user')?.trim() || email;
  if (!user) return null;
  return { user, email, groups: headerList(headers.get('x-forwarded-groups')) };
}

interface Cached {
  caller: Caller;
  until: number;
}

/** TokenReview and SubjectAccessReview answers, kept briefly per token digest so a page's requests ask once. */
const KUBE_CACHE_MS = 30_000;
const KUBE_CACHE_ENTRIES = 1000;
const kubeCache = new Map<string, Cached>();

async function fromKube(token: string, kube: KubeReviewer, config: AuthConfig, now: number): Promise<Caller | null> {
  const key = sha256Hex(token);
  const hit = kubeCache.get(key);
  if (hit && hit.until > now) return hit.caller;
  const person = await kube.review(token);
  if (!person) return null;
  const role = higher(roleForGroups(person.groups, config.roleGroups), await kube.role(person));
  const caller: Caller = { user: person.user, groups: person.groups, role, via: 'kubernetes' };
  holdKubeCaller(key, caller, now + KUBE_CACHE_MS);
  learned({ kind: 'kube', digest: key, caller, until: now + KUBE_CACHE_MS });
  return caller;
}

/** Holds a review of the token with SHA-256 `digest` until `until`, made here or reported by another thread. */
export function holdKubeCaller(digest: string, caller: Caller, until: number): void {
  if (kubeCache.size >= KUBE_CACHE_ENTRIES) kubeCache.clear();
  kubeCache.set(digest, { caller, until });
}

/** The reviews held at `now`, for a thread that starts deciding later. */
export function kubeCallersHeld(now = Date.now()): { digest: string; caller: Caller; until: number }[] {
  return [...kubeCache].filter(([, held]) => held.until > now).map(([digest, held]) => ({ digest, caller: held.caller, until: held.until }));
}

export interface IdentifyContext {
  config: AuthConfig;
  /** The key of signed sessions; asked for only when a session cookie comes. */
  secret: () => Promise<string>;
  kube?: () => KubeReviewer;
  now?: number;
}

export interface KnownContext {
  config: AuthConfig;
  /** The key of signed sessions, when it has been read. */
  secret: string | undefined;
  now?: number;
}

function peerOf(headers: HeaderReader): string | undefined {
  const peer = headers.get(PEER_HEADER);
  return peer ? normaliseAddress(peer) : undefined;
}

function located(caller: Caller | null, address: string | undefined): Caller | null {
  return caller && address !== undefined ? { ...caller, address } : caller;
}

/**
 * The signed-in person as far as it can be known without waiting: undefined when the answer needs the signing key
 * and it has not been read yet, or a Kubernetes review that is not held (identify then asks).
 */
export function identifyKnown(headers: HeaderReader, context: KnownContext): Caller | null | undefined {
  const { config } = context;
  const now = context.now ?? Date.now();
  const address = peerOf(headers);
  if (config.mode === 'none') {
    // Every request of this mode asks, so the caller is made whole at once rather than copied to add the address.
    const local: Caller = { user: 'local', groups: [], role: 'admin', via: 'none' };
    if (address !== undefined) local.address = address;
    return local;
  }
  if (config.mode === 'proxy') {
    const person = fromProxy(headers, config, address);
    return located(person && { ...person, role: roleForGroups(person.groups, config.roleGroups), via: 'proxy' }, address);
  }
  const token = bearerToken(headers);
  if (token !== undefined) {
    if (config.mode === 'token') {
      const entry = matchToken(token, config);
      return located(entry ? { user: entry.user, groups: entry.groups, role: roleForGroups(entry.groups, config.roleGroups), via: 'token' } : null, address);
    }
    const hit = kubeCache.get(sha256Hex(token));
    return hit && hit.until > now ? located(hit.caller, address) : undefined;
  }
  const session = cookie(headers, SESSION_COOKIE);
  if (session === undefined) return null;
  if (context.secret === undefined) return undefined;
  const claims = verifySession(context.secret, session, now);
  if (!claims || claims.mode !== config.mode) return null;
  // Tokens taken out of the configuration end their sessions, and a changed group mapping applies at once.
  if (config.mode === 'token' && !config.tokens.some((t) => t.user === claims.user)) return null;
  const byGroups = roleForGroups(claims.groups, config.roleGroups);
  const role = config.mode === 'token' ? byGroups : higher(byGroups, claims.role);
  return located({ user: claims.user, groups: claims.groups, role, via: config.mode }, address);
}

/** The signed-in person, or null for an anonymous request (which may still hold a share link). */
export async function identify(headers: HeaderReader, context: IdentifyContext): Promise<Caller | null> {
  const { config } = context;
  const now = context.now ?? Date.now();
  const token = config.mode === 'kubernetes' ? bearerToken(headers) : undefined;
  if (token !== undefined) {
    if (!context.kube) return null;
    return located(await fromKube(token, context.kube(), config, now), peerOf(headers));
  }
  const known = identifyKnown(headers, { config, secret: undefined, now });
  if (known !== undefined) return known;
  return identifyKnown(headers, { config, secret: await context.secret(), now }) ?? null;
}
