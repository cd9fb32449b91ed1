import { promises as fs } from 'node:fs';
import path from 'node:path';
import { exec, must, type ExecResult } from './exec';
import { hostFsDir, pinDir } from './state';
import type { LabCni, LabHost, LabRole } from './types';

/** Directories each host gets its own copy of, so OVS/OVN use their default paths per host. */
const PRIVATE_DIRS = ['etc/openvswitch', 'var/lib/openvswitch', 'var/log/openvswitch', 'etc/ovn', 'var/lib/ovn', 'var/log/ovn'];

/**
 * Runs inside the host's new mount+UTS namespace ($1 pin dir, $2 hostname, $3 host fs dir, then the private dirs).
 * A new mount namespace copies every nsfs mount that exists (other namespaces' pins): those copies would keep
 * foreign namespaces alive, so they are dropped before /run becomes a private tmpfs.
 */
const HOST_SETUP_SCRIPT = `set -e
pins="$1"; host="$2"; fsdir="$3"; shift 3
hostname "$host"
findmnt -rn -t nsfs -o TARGET | sort -r | while read -r t; do umount -l "$t" 2>/dev/null || true; done
if mountpoint -q /run/netns; then umount -l /run/netns; fi
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/netns /run/openvswitch /run/ovn
for d in "$@"; do mkdir -p "$fsdir/$d"; mount --bind "$fsdir/$d" "/$d"; done
umount -l /sys
mount -t sysfs "$host" /sys
`;

export function pinFiles(stateDir: string, netns: string): { mnt: string; uts: string } {
  return { mnt: path.join(pinDir(stateDir), `${netns}.mnt`), uts: path.join(pinDir(stateDir), `${netns}.uts`) };
}

export function enterPrefix(stateDir: string, netns: string): string[] {
  const pins = pinFiles(stateDir, netns);
  return ['nsenter', `--mount=${pins.mnt}`, `--uts=${pins.uts}`, `--net=/run/netns/${netns}`, '--'];
}

export async function createHost(stateDir: string, spec: { name: string; netns: string; role: LabRole; cni: LabCni }): Promise<LabHost> {
  await must(['ip', 'netns', 'add', spec.netns], `creating host ${spec.name}`);
  const pins = pinFiles(stateDir, spec.netns);
  await fs.mkdir(pinDir(stateDir), { recursive: true });
  await fs.writeFile(pins.mnt, '');
  await fs.writeFile(pins.uts, '');
  await must(['unshare', `--mount=${pins.mnt}`, `--uts=${pins.uts}`, '--propagation', 'slave', 'true'], `pinning namespaces of ${spec.name}`);
  const host: LabHost = { ...spec, enter: enterPrefix(stateDir, spec.netns), namespaces: [] };
  const fsDir = hostFsDir(stateDir, spec.netns);
  await must([...host.enter, 'sh', '-c', HOST_SETUP_SCRIPT, 'sh', pinDir(stateDir), spec.name, fsDir, ...PRIVATE_DIRS], `preparing the filesystem view of ${spec.name}`);
  await onHost(host, ['ip', 'link', 'set', 'lo', 'up']);
  return host;
}

export function runOnHost(host: LabHost, argv: string[], opts: { netns?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  const inner = opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...argv] : argv;
  return exec([...host.enter, ...inner], { timeoutMs: opts.timeoutMs });
}

/** runOnHost that throws a message naming the host when the command fails. */
export async function onHost(host: LabHost, argv: string[], netns?: string): Promise<string> {
  const result = await runOnHost(host, argv, { netns });
  if (result.exitCode !== 0) {
    const where = netns ? `${host.name} (netns ${netns})` : host.name;
    throw new Error(`on ${where}: \`${argv.join(' ')}\` exited ${result.exitCode}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

export async function listHostNamespaces(host: LabHost): Promise<string[]> {
  const out = await runOnHost(host, ['ip', '-j', 'netns', 'list']);
  if (out.exitCode !== 0 || !out.stdout.trim()) return [];
  const data: unknown = JSON.parse(out.stdout);
  if (!Array.isArray(data)) return [];
  return data
    .map((e: unknown) => (typeof e === 'object' && e !== null ? (e as Record<string, unknown>).name : undefined))
    .filter((n): n is string => typeof n === 'string')
    .sort();
}

export async function fileOnHost(host: LabHost, file: string, content: string): Promise<void> {
  const script = 'mkdir -p "$(dirname "$1")" && printf "%s\\n" "$2" > "$1"';
  await onHost(host, ['sh', '-c', script, 'sh', file, content]);
}
