/**
 * Who may reach the dashboard, read from the environment once per process. Nothing here is secret on its own:
 * tokens are configured as SHA-256 digests, and the session secret never leaves the process.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { ROLES, type Role } from './roles';

export const AUTH_MODES = ['none', 'token', 'proxy', 'kubernetes'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface TokenEntry {
  user: string;
  groups: string[];
  /** Lower-case hex SHA-256 of the token. */
  sha256: string;
}

export interface AuthConfig {
  mode: AuthMode;
  /** Mode token: the accepted tokens. */
  tokens: TokenEntry[];
  /** Mode proxy: the addresses whose X-Forwarded-User/Email/Groups headers are believed. */
  trustedProxies: string[];
  /** Groups (or "*" for every signed-in person) that give each role. */
  roleGroups: Record<Role, string[]>;
  /** No collection at all: live views and captures from sources are refused for everyone. */
  readOnly: boolean;
  /** Mode kubernetes: the kubeconfig file of the dashboard's own account (unset: in-cluster or the default). */
  kubeconfig?: string;
  /** The address the server listens on. */
  host: string;
}

export class AuthConfigError extends Error {}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * TUNNELSCOPE_TOKENS: entries separated by whitespace, each `user:group,group:sha256hex`
 * (make the digest with `printf %s "$TOKEN" | sha256sum`).
 */
export function parseTokens(setting: string | undefined): TokenEntry[] {
  const entries = (setting ?? '').split(/\s+/).filter(Boolean);
  return entries.map((entry, index) => {
    const parts = entry.split(':');
    const [user, groups, digest] = parts.length === 3 ? parts : [];
    const sha256 = (digest ?? '').replace(/^sha256=/, '').toLowerCase();
    if (!user || !HEX_SHA256.test(sha256)) {
      throw new AuthConfigError(`TUNNELSCOPE_TOKENS entry ${index + 1} is not user:groups:sha256 (a 64-digit hex SHA-256 of the token); the token itself is never configured`);
    }
    return { user, groups: groups.split(',').filter(Boolean), sha256 };
  });
}

function list(setting: string | undefined): string[] {
  return (setting ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** 127.0.0.0/8, ::1 and the name localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * TUNNELSCOPE_AUTH picks the mode (default none). Mode none gives everyone admin, so it is refused unless the
 * server listens on loopback only (TUNNELSCOPE_HOST, default 127.0.0.1).
 */
export function authConfigFromEnv(env: Env = process.env): AuthConfig {
  const modeSetting = (env.TUNNELSCOPE_AUTH ?? '').trim() || 'none';
  const mode = AUTH_MODES.find((m) => m === modeSetting);
  if (!mode) throw new AuthConfigError(`TUNNELSCOPE_AUTH="${modeSetting.slice(0, 32)}" is not one of ${AUTH_MODES.join(', ')}`);
  const readOnly = flag.safeParse((env.TUNNELSCOPE_READ_ONLY ?? '').trim().toLowerCase());
  if (!readOnly.success) throw new AuthConfigError('TUNNELSCOPE_READ_ONLY must be true or false');
  const config: AuthConfig = {
    mode,
    tokens: mode === 'token' ? parseTokens(env.TUNNELSCOPE_TOKENS) : [],
    trustedProxies: list(env.TUNNELSCOPE_TRUSTED_PROXIES),
    roleGroups: {
      viewer: list(env.TUNNELSCOPE_VIEWER_GROUPS ?? '*'),
      collector: list(env.TUNNELSCOPE_COLLECTOR_GROUPS),
      admin: list(env.TUNNELSCOPE_ADMIN_GROUPS),
    },
    readOnly: readOnly.data,
    kubeconfig: env.TUNNELSCOPE_KUBECONFIG?.trim() || undefined,
    host: (env.TUNNELSCOPE_HOST ?? '').trim() || '127.0.0.1',
  };
  checkAuthConfig(config);
  return config;
}

/** Refuses configurations that would leave the door open or locked for everyone. */
export function checkAuthConfig(config: AuthConfig): void {
  if (config.mode === 'none' && !isLoopback(config.host)) {
    throw new AuthConfigError(
      `TUNNELSCOPE_AUTH=none gives everyone who reaches the server full access, so it only runs on loopback; the server listens on ${config.host}. Set TUNNELSCOPE_AUTH to token, proxy or kubernetes.`,
    );
  }
  if (config.mode === 'token' && config.tokens.length === 0) throw new AuthConfigError('TUNNELSCOPE_AUTH=token needs TUNNELSCOPE_TOKENS (user:groups:sha256 entries)');
  if (config.mode === 'proxy' && config.trustedProxies.length === 0) {
    throw new AuthConfigError('TUNNELSCOPE_AUTH=proxy needs TUNNELSCOPE_TRUSTED_PROXIES: the addresses of the authenticating proxy, the only ones whose user headers are believed');
  }
}

/** One line for the startup log: the mode and what it trusts, never a digest or a token. */
export function describeAuth(config: AuthConfig): string {
  const roles = ROLES.map((role) => `${role}=${config.roleGroups[role].join(',') || '-'}`).join(' ');
  const detail: Record<AuthMode, string> = {
    none: `no sign-in, everyone is admin (listening on loopback ${config.host} only)`,
    token: `bearer tokens for ${config.tokens.length} ${config.tokens.length === 1 ? 'person' : 'people'}`,
    proxy: `user headers from ${config.trustedProxies.join(', ')}`,
    kubernetes: `TokenReview and SubjectAccessReview against ${config.kubeconfig ?? 'the in-cluster or default kubeconfig'}`,
  };
  return `tunnelscope auth: ${config.mode}: ${detail[config.mode]}; roles ${roles}${config.readOnly ? '; read-only (no collection)' : ''}`;
}
