/** known_hosts lines as ssh-keygen writes them (plain, hashed with -H, a non-default port, markers), checked against host key blobs. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHostKey, fingerprint, parseKnownHosts } from '@/lib/kube/ssh-known-hosts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'known-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function newKey(name: string): { line: string; blob: Buffer; printed: string } {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, name)]);
  const [type, key] = readFileSync(path.join(dir, `${name}.pub`), 'utf8').split(' ');
  const printed = execFileSync('ssh-keygen', ['-l', '-f', path.join(dir, `${name}.pub`)], { encoding: 'utf8' }).split(' ')[1];
  return { line: `${type} ${key}`, blob: Buffer.from(key, 'base64'), printed };
}

const vm = newKey('vm');
const other = newKey('other');

describe('known_hosts', () => {
  it('prints fingerprints as ssh-keygen -l does', () => {
    expect(fingerprint(vm.blob)).toBe(vm.printed);
  });

  it('accepts the listed key for a plain name, a [host]:port name and a name ssh-keygen -H hashed', () => {
    const file = path.join(dir, 'hashed');
    writeFileSync(file, `10.0.0.7 ${vm.line}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const hashed = readFileSync(file, 'utf8');
    expect(hashed).toMatch(/^\|1\|/);
    expect(checkHostKey(parseKnownHosts(hashed), '10.0.0.7', 22, vm.blob)).toEqual({ ok: true });
    expect(checkHostKey(parseKnownHosts(hashed), '10.0.0.8', 22, vm.blob).ok).toBe(false);
    const ported = parseKnownHosts(`# comment\n[10.0.0.7]:2222 ${vm.line}\n`);
    expect(checkHostKey(ported, '10.0.0.7', 2222, vm.blob)).toEqual({ ok: true });
    expect(checkHostKey(ported, '10.0.0.7', 22, vm.blob).ok).toBe(false);
  });

  it('says a key changed when another key of that type is listed, and unknown when none is', () => {
    const lines = parseKnownHosts(`10.0.0.*,!10.0.0.9 ${other.line}\n`);
    const changed = checkHostKey(lines, '10.0.0.7', 22, vm.blob);
    expect(changed).toEqual({ ok: false, reason: expect.stringContaining(`it offered ssh-ed25519 ${vm.printed}, known_hosts holds ${other.printed}`) });
    const negated = checkHostKey(lines, '10.0.0.9', 22, vm.blob);
    expect(negated).toEqual({ ok: false, reason: expect.stringContaining('is not in known_hosts') });
  });

  it('refuses a key marked @revoked even when another line lists it', () => {
    const lines = parseKnownHosts(`@revoked * ${vm.line}\n10.0.0.7 ${vm.line}\n`);
    expect(checkHostKey(lines, '10.0.0.7', 22, vm.blob)).toEqual({ ok: false, reason: expect.stringContaining('@revoked') });
  });
});
