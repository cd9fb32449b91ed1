import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LabHost } from './types';

export interface LabState {
  scenario: string;
  stateDir: string;
  hosts: LabHost[];
  faults: string[];
  /** libmount creates /run/mount on first use; remove it on teardown only if the lab made it */
  createdRunMount: boolean;
}

export function labDir(): string {
  return process.env.TUNNELSCOPE_LAB_DIR ?? '/var/tmp/tunnelscope-lab';
}

export const pinDir = (dir: string) => path.join(dir, 'pins');
export const hostFsDir = (dir: string, netns: string) => path.join(dir, 'hosts', netns, 'fs');
const statePath = (dir: string) => path.join(dir, 'state.json');
const lockPath = (dir: string) => path.join(dir, 'lock');

export async function readState(dir = labDir()): Promise<LabState | null> {
  let text: string;
  try {
    text = await fs.readFile(statePath(dir), 'utf8');
  } catch {
    return null;
  }
  const data: unknown = JSON.parse(text);
  if (!isLabState(data)) throw new Error(`lab state file ${statePath(dir)} is not readable; run \`tunnelscope lab down\``);
  return data;
}

export async function writeState(state: LabState): Promise<void> {
  await fs.mkdir(state.stateDir, { recursive: true });
  const tmp = `${statePath(state.stateDir)}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(state, null, 2));
  await fs.rename(tmp, statePath(state.stateDir));
}

function isLabState(v: unknown): v is LabState {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.scenario === 'string' && typeof o.stateDir === 'string' && Array.isArray(o.hosts) && Array.isArray(o.faults);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Holds the lab lock for the duration of fn. A lock held by a live process means another lab command
 * is running; a lock left by a dead process is taken over.
 */
export async function withLock<T>(fn: () => Promise<T>, dir = labDir()): Promise<T> {
  await fs.mkdir(dir, { recursive: true });
  const file = lockPath(dir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
        throw new Error(`another lab is being changed by process ${holder} (lock ${file}); only one lab can run at a time`);
      }
      await fs.rm(file, { force: true });
      if (attempt === 1) throw new Error(`could not take the lab lock ${file}`);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(file, { force: true });
  }
}
