/**
 * A real OpenSSH server inside a lab host (a pod VM's root namespace), for the tests that reach pod VMs by SSH.
 * Opt-in: nothing in the lab starts it. It gets its own host key, one authorised client key and its own config in a
 * fresh directory, listens on one address of the host, allows root by key only and no PAM, and stops with `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { must } from './exec';
import { onHost } from './host';
import type { LabHost } from './types';

const SSHD = '/usr/sbin/sshd';

export interface LabSshd {
  address: string;
  port: number;
  /** The client's private key (OpenSSH format) and its public half, as authorised. */
  clientKey: string;
  /** `address keytype base64` as known_hosts holds the server's key. */
  knownHostsLine: string;
  /** The server's public key line (`keytype base64 comment`). */
  hostPublicKey: string;
  stop(): Promise<void>;
}

function sshdConfig(dir: string, address: string, port: number): string {
  return [
    `ListenAddress ${address}`,
    `Port ${port}`,
    `HostKey ${path.join(dir, 'host_key')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The test's temporary directory is not root's home: its modes say nothing about who may log in.
    'StrictModes no',
    '',
  ].join('\n');
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Polls until sshd wrote its pid file (it does so once it listens) or exited; never longer than `boundMs`. */
async function listening(child: ChildProcess, pidFile: string, stderr: () => string, boundMs = 20_000): Promise<void> {
  const until = Date.now() + boundMs;
  while (!existsSync(pidFile)) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${stderr().trim()}`);
    if (Date.now() > until) throw new Error(`sshd did not start listening within ${boundMs / 1000} s: ${stderr().trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function startSshd(host: LabHost, address: string, port = 22): Promise<LabSshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-sshd-'));
  try {
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `${host.name} host`, '-f', path.join(dir, 'host_key')], 'making the sshd host key');
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'tunnelscope test client', '-f', path.join(dir, 'client_key')], 'making the client key');
    writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client_key.pub')));
    writeFileSync(path.join(dir, 'sshd_config'), sshdConfig(dir, address, port));
    // The privilege-separation directory, in the host's own /run.
    await onHost(host, ['mkdir', '-p', '/run/sshd']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const child = spawn(host.enter[0], [...host.enter.slice(1), SSHD, '-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await listening(child, path.join(dir, 'sshd.pid'), () => errors);
  } catch (error) {
    await stop();
    throw error;
  }
  const hostPublicKey = readFileSync(path.join(dir, 'host_key.pub'), 'utf8').trim();
  const [type, key] = hostPublicKey.split(' ');
  return {
    address,
    port,
    clientKey: readFileSync(path.join(dir, 'client_key'), 'utf8'),
    knownHostsLine: `${port === 22 ? address : `[${address}]:${port}`} ${type} ${key}`,
    hostPublicKey,
    stop,
  };
}
