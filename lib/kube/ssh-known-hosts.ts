/**
 * known_hosts as OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): `[marker] hostpatterns keytype base64key`,
 * patterns comma-separated with `*`/`?` wildcards and `!` negation, `[host]:port` for a port other than 22, and
 * hashed names `|1|salt|hmac-sha1(salt, name)`. A key under `@revoked` is refused even if another line lists it.
 * `@cert-authority` lines are not read: host certificates are not checked here, so such a host stays unknown.
 */
import { createHash, createHmac } from 'node:crypto';

export interface KnownHostLine {
  marker?: '@revoked' | '@cert-authority';
  patterns: string[];
  keyType: string;
  key: Buffer;
}

export type HostKeyVerdict = { ok: true } | { ok: false; reason: string };

export function parseKnownHosts(text: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#')) continue;
    const marker = fields[0] === '@revoked' || fields[0] === '@cert-authority' ? fields.shift() : undefined;
    const [hosts, keyType, key] = fields;
    if (hosts === undefined || keyType === undefined || key === undefined) continue;
    out.push({ ...(marker ? { marker: marker as KnownHostLine['marker'] } : {}), patterns: hosts.split(','), keyType, key: Buffer.from(key, 'base64') });
  }
  return out;
}

/** How known_hosts names a host: bare on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatches(pattern: string, name: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(name);
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, kind, salt, hash] = pattern.split('|');
  if (kind !== '1' || salt === undefined || hash === undefined) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** A line names the host when one pattern matches and no negated pattern does. */
function namesHost(line: KnownHostLine, name: string): boolean {
  let matched = false;
  for (const pattern of line.patterns) {
    if (pattern.startsWith('|')) matched ||= hashedMatches(pattern, name);
    else if (pattern.startsWith('!')) {
      if (globMatches(pattern.slice(1), name)) return false;
    } else matched ||= globMatches(pattern, name);
  }
  return matched;
}

/** The key type a host key blob names (its first SSH string), e.g. ssh-ed25519. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** As `ssh-keygen -l` prints it: SHA256:base64 without padding. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Whether the host's key is the one known_hosts holds for it; the reason says what differs when not. */
export function checkHostKey(lines: readonly KnownHostLine[], host: string, port: number, blob: Buffer): HostKeyVerdict {
  const name = knownHostName(host, port);
  const type = keyTypeOf(blob);
  const offered = `${type} ${fingerprint(blob)}`;
  if (lines.some((l) => l.marker === '@revoked' && l.key.equals(blob))) return { ok: false, reason: `the host key of ${name} (${offered}) is marked @revoked in known_hosts` };
  const forHost = lines.filter((l) => l.marker === undefined && namesHost(l, name));
  if (forHost.some((l) => l.key.equals(blob))) return { ok: true };
  const sameType = forHost.filter((l) => l.keyType === type);
  if (sameType.length > 0) {
    const expected = sameType.map((l) => fingerprint(l.key)).join(', ');
    return { ok: false, reason: `the host key of ${name} changed: it offered ${offered}, known_hosts holds ${expected} (a re-created VM, or someone in between): not connected` };
  }
  return { ok: false, reason: `the host key of ${name} (${offered}) is not in known_hosts: add it to the known_hosts given to Tunnelscope to trust this VM` };
}
