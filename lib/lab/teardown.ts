import { promises as fs } from 'node:fs';
import path from 'node:path';
import { exec } from './exec';
import { pinDir, readState } from './state';

export const LAB_NETNS_PREFIX = 'tsl-';

export async function rootLabNamespaces(): Promise<string[]> {
  const out = await exec(['ip', '-j', 'netns', 'list']);
  if (out.exitCode !== 0 || !out.stdout.trim()) return [];
  const data: unknown = JSON.parse(out.stdout);
  if (!Array.isArray(data)) return [];
  return data
    .map((e: unknown) => (typeof e === 'object' && e !== null ? (e as Record<string, unknown>).name : undefined))
    .filter((n): n is string => typeof n === 'string' && n.startsWith(LAB_NETNS_PREFIX));
}

async function nsIdentity(file: string, kind: 'mnt' | 'net'): Promise<string | null> {
  try {
    const st = await fs.stat(file);
    return st.dev === 0 && st.ino === 0 ? null : `${kind}:[${st.ino}]`;
  } catch {
    return null;
  }
}

async function pinFilesIn(dir: string): Promise<string[]> {
  const names = await fs.readdir(pinDir(dir)).catch(() => [] as string[]);
  return names.map((n) => path.join(pinDir(dir), n));
}

/** Processes living in any of the lab's mount or network namespaces (the OVS/OVN daemons, stray probes). */
export async function labProcesses(dir: string): Promise<number[]> {
  const ids = new Set<string>();
  for (const pin of await pinFilesIn(dir)) {
    if (pin.endsWith('.mnt')) {
      const id = await nsIdentity(pin, 'mnt');
      if (id) ids.add(id);
    }
  }
  for (const ns of await rootLabNamespaces()) {
    const id = await nsIdentity(`/run/netns/${ns}`, 'net');
    if (id) ids.add(id);
  }
  if (ids.size === 0) return [];
  const ownMnt = await fs.readlink('/proc/self/ns/mnt').catch(() => '');
  const ownNet = await fs.readlink('/proc/self/ns/net').catch(() => '');
  const pids: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const [mnt, net] = await Promise.all([fs.readlink(`/proc/${entry}/ns/mnt`).catch(() => ''), fs.readlink(`/proc/${entry}/ns/net`).catch(() => '')]);
    if ((mnt && mnt !== ownMnt && ids.has(mnt)) || (net && net !== ownNet && ids.has(net))) pids.push(Number(entry));
  }
  return pids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

async function stopProcesses(pids: number[]): Promise<void> {
  let alive = pids.filter((p) => signal(p, 'SIGTERM'));
  for (let i = 0; i < 30 && alive.length; i++) {
    await sleep(100);
    alive = alive.filter((p) => signal(p, 0));
  }
  alive.forEach((p) => signal(p, 'SIGKILL'));
  for (let i = 0; i < 20 && alive.length; i++) {
    await sleep(50);
    alive = alive.filter((p) => signal(p, 0));
  }
}

/**
 * Removes everything a (possibly half-built) lab left: daemons, pinned namespaces, tsl- network namespaces and
 * the files in the state dir except the lock. Works from what exists, not from what state.json claims.
 */
export async function teardown(dir: string): Promise<void> {
  const state = await readState(dir).catch(() => null);
  await stopProcesses(await labProcesses(dir));
  for (const pin of await pinFilesIn(dir)) {
    const umount = await exec(['umount', pin]);
    if (umount.exitCode !== 0) await exec(['umount', '-l', pin]);
  }
  for (const ns of await rootLabNamespaces()) await exec(['ip', 'netns', 'del', ns]);
  for (const entry of await fs.readdir(dir).catch(() => [] as string[])) {
    if (entry !== 'lock') await fs.rm(path.join(dir, entry), { recursive: true, force: true });
  }
  if (state?.createdRunMount) await fs.rmdir('/run/mount').catch(() => undefined);
}
