/**
 * Signed, expiring tokens the server hands out: browser sessions (after a sign-in with a bearer token) and share
 * links for one snapshot. `base64url(JSON).base64url(HMAC-SHA256)`; the key is the server's own secret.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ROLES } from './roles';

const sessionClaims = z.object({
  kind: z.literal('session'),
  user: z.string().min(1).max(256),
  groups: z.array(z.string().max(256)).max(256),
  role: z.enum(ROLES).nullable(),
  mode: z.string().max(32),
  exp: z.number().int(),
});

const shareClaims = z.object({
  kind: z.literal('share'),
  snapshot: z.string().min(1).max(128),
  by: z.string().min(1).max(256),
  exp: z.number().int(),
  /** Makes two links for the same snapshot and expiry differ. */
  nonce: z.string().min(16).max(64),
});

export type SessionClaims = z.infer<typeof sessionClaims>;
export type ShareClaims = z.infer<typeof shareClaims>;

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

function sign(secret: string, claims: object): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

function verify(secret: string, token: string, now: number): unknown {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined || token.length > 8192) return null;
  // Compared as text: base64url's last character carries spare bits, so two spellings decode to the same bytes,
  // and a token that differs from the one we issued in any character must not open anything.
  const given = Buffer.from(signature, 'utf8');
  const expected = Buffer.from(mac(secret, body).toString('base64url'), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const exp = typeof claims === 'object' && claims !== null && 'exp' in claims ? (claims as { exp: unknown }).exp : undefined;
  return typeof exp === 'number' && exp * 1000 > now ? claims : null;
}

export function signSession(secret: string, claims: Omit<SessionClaims, 'kind'>): string {
  return sign(secret, { kind: 'session', ...claims });
}

export function verifySession(secret: string, token: string, now = Date.now()): SessionClaims | null {
  const parsed = sessionClaims.safeParse(verify(secret, token, now));
  return parsed.success ? parsed.data : null;
}

export function signShare(secret: string, claims: Omit<ShareClaims, 'kind' | 'nonce'>): string {
  return sign(secret, { kind: 'share', ...claims, nonce: randomBytes(16).toString('base64url') });
}

export function verifyShare(secret: string, token: string, snapshot: string, now = Date.now()): ShareClaims | null {
  const parsed = shareClaims.safeParse(verify(secret, token, now));
  return parsed.success && parsed.data.snapshot === snapshot ? parsed.data : null;
}
