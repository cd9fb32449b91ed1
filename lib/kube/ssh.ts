/**
 * A pod VM's root namespace and its podns over SSH (ssh2): the collector script runs once, as for a node, on
 * standard input. Host keys are checked against known_hosts before anything is sent; an unknown or changed key
 * fails that VM with the reason. Skipping the check takes an explicit option, and every VM reached that way says so.
 */
import { readFile } from 'node:fs/promises';
import { Client, type ClientChannel } from 'ssh2';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { commandLine } from '@/lib/parse/parser';
import { KubeError, withRetries } from './errors';
import type { PodExecResult } from './exec';
import { checkHostKey, parseKnownHosts, type KnownHostLine } from './ssh-known-hosts';
import type { PodVmSshOptions } from './ssh-settings';

export interface SshAccess {
  user: string;
  port: number;
  privateKey: Buffer;
  /** null: host keys are not checked (skipHostKeyCheck). */
  knownHosts: KnownHostLine[] | null;
}

const KEY_MEMBER = 'ssh-privatekey';
const KNOWN_HOSTS_MEMBER = 'known_hosts';

function splitRef(ref: string, kind: 'Secret' | 'ConfigMap'): { namespace: string; name: string } {
  const [namespace, name, ...rest] = ref.split('/');
  if (!namespace || !name || rest.length) throw new KubeError(`a ${kind} is named NAMESPACE/NAME, not "${ref}"`);
  return { namespace, name };
}

async function secretData(kc: KubeConfig, ref: string): Promise<Record<string, Buffer>> {
  const { namespace, name } = splitRef(ref, 'Secret');
  const core = kc.makeApiClient(CoreV1Api);
  const secret = await withRetries({ verb: 'get', resource: 'secrets', namespace }, () => core.readNamespacedSecret({ name, namespace }));
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

/** known_hosts kept in a ConfigMap, as text (`data`) or, when it was not UTF-8 on creation, as `binaryData`. */
async function configMapKnownHosts(kc: KubeConfig, ref: string): Promise<string> {
  const { namespace, name } = splitRef(ref, 'ConfigMap');
  const core = kc.makeApiClient(CoreV1Api);
  let configMap;
  try {
    configMap = await withRetries({ verb: 'get', resource: 'configmaps', namespace }, () => core.readNamespacedConfigMap({ name, namespace }));
  } catch (error) {
    if (error instanceof KubeError) throw new KubeError(`the known_hosts ConfigMap ${ref} could not be read: ${error.message}`);
    throw error;
  }
  const text = configMap.data?.[KNOWN_HOSTS_MEMBER];
  if (text !== undefined) return text;
  const binary = configMap.binaryData?.[KNOWN_HOSTS_MEMBER];
  if (binary !== undefined) return Buffer.from(binary, 'base64').toString('utf8');
  throw new KubeError(`ConfigMap ${ref} has no "${KNOWN_HOSTS_MEMBER}" key`);
}

/** Reads the key and known_hosts once for every VM; throws a KubeError naming what is missing. */
export async function loadSshAccess(kc: KubeConfig, opts: PodVmSshOptions): Promise<SshAccess> {
  const secret = opts.keySecret ? await secretData(kc, opts.keySecret) : {};
  const privateKey = opts.keyFile ? await readFile(opts.keyFile) : secret[KEY_MEMBER];
  if (!privateKey) throw new KubeError(opts.keySecret ? `Secret ${opts.keySecret} has no "${KEY_MEMBER}" key` : 'SSH to pod VMs needs a private key (a file or a Secret)');
  let knownHosts: KnownHostLine[] | null = null;
  if (!opts.skipHostKeyCheck) {
    const text = opts.knownHostsFile
      ? await readFile(opts.knownHostsFile, 'utf8')
      : opts.knownHostsConfigMap
        ? await configMapKnownHosts(kc, opts.knownHostsConfigMap)
        : secret[KNOWN_HOSTS_MEMBER]?.toString('utf8');
    if (text === undefined)
      throw new KubeError(
        `SSH to pod VMs checks host keys: give a known_hosts file or ConfigMap${opts.keySecret ? `, or a "${KNOWN_HOSTS_MEMBER}" key in Secret ${opts.keySecret}` : ''} (or skip the check explicitly)`,
      );
    knownHosts = parseKnownHosts(text);
  }
  return { user: opts.user ?? 'root', port: opts.port ?? 22, privateKey, knownHosts };
}

export interface SshRunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  stdin?: Buffer;
}

/** Runs argv (quoted for the remote shell, which SSH always goes through) on the VM. Never throws. */
export function runOverSsh(access: SshAccess, address: string, argv: readonly string[], opts: SshRunOptions): Promise<PodExecResult> {
  const conn = new Client();
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let hostKeyRefusal: string | undefined;
  let session: ClientChannel | undefined;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: PodExecResult['outcome'], reason: string, exitCode: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Without a terminal sshd leaves a command running when the connection drops: it is signalled first.
      if (outcome === 'cancelled' || outcome === 'timeout') session?.signal('TERM');
      conn.end();
      // A server that stopped answering never acknowledges the goodbye: its socket is dropped shortly after.
      setTimeout(() => conn.destroy(), 2_000).unref();
      resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), exitCode, outcome, reason });
    };
    const onAbort = (): void => finish('cancelled', 'cancelled', null);
    const timer = setTimeout(() => finish('timeout', `no answer within ${Math.round(opts.timeoutMs / 1000)} s`, null), opts.timeoutMs);
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    conn.on('error', (error: Error) => finish('refused', hostKeyRefusal ?? `SSH to ${address}:${access.port} failed: ${error.message}`, null));
    conn.on('close', () => finish('cut', `the SSH connection to ${address} closed before the command reported its exit status`, null));
    conn.on('ready', () => {
      conn.exec(commandLine(argv), (error, stream) => {
        if (error) return finish('refused', `the SSH server at ${address} refused to run the collector: ${error.message}`, null);
        session = stream;
        stream.on('data', (chunk: Buffer) => stdout.push(chunk));
        stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        let exit: number | null = null;
        stream.on('exit', (code: number | null) => {
          exit = code;
        });
        stream.on('close', () => {
          if (exit === 0) finish('ok', '', 0);
          else if (exit === null) finish('cut', `the SSH session on ${address} ended before the command reported its exit status`, null);
          else finish('exit', `the collector exited with code ${exit}`, exit);
        });
        stream.end(opts.stdin ?? Buffer.alloc(0));
      });
    });
    const known = access.knownHosts;
    conn.connect({
      host: address,
      port: access.port,
      username: access.user,
      privateKey: access.privateKey,
      readyTimeout: opts.timeoutMs,
      hostVerifier: (key: Buffer): boolean => {
        if (known === null) return true;
        const verdict = checkHostKey(known, address, access.port, key);
        if (!verdict.ok) hostKeyRefusal = verdict.reason;
        return verdict.ok;
      },
    });
  });
}
