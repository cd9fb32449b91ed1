/**
 * Work the dashboard does for a creation — analysing an upload or a collection, the processes a collection starts on
 * this machine — is background work: people reading snapshots are served first. On Linux each thread has its own
 * priority, so lowering an analysis thread leaves the threads that serve requests as they were.
 *
 *   TUNNELSCOPE_BACKGROUND_NICE  nice of that work, 0–19 (default 19, the lowest; 0 = the server's own priority)
 *   TUNNELSCOPE_BACKGROUND_IDLE  1: analysis threads also run under SCHED_IDLE, so a request waking up takes their
 *                                core at once instead of at the end of their time slice; 0 (default): nice alone.
 *                                Off by default: under reading that never stops, an idle analysis can wait past its
 *                                wall-time cap and an upload would be refused for the load of others.
 *
 * Lowering is never a reason to fail: where it is refused the work runs at the server's priority, and the first
 * refusal of each kind is logged.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { integerSetting } from './settings';

export interface BackgroundPriority {
  nice: number;
  idle: boolean;
}

export function backgroundPriority(env: Readonly<Record<string, string | undefined>> = process.env): BackgroundPriority {
  return {
    nice: integerSetting(env.TUNNELSCOPE_BACKGROUND_NICE, 19, 0, 19),
    idle: env.TUNNELSCOPE_BACKGROUND_IDLE?.trim() === '1',
  };
}

const refusalsLogged = new Set<string>();

/** Logs the first refusal of each kind: an operator learns that serving is not protected, once, not per creation. */
export function logRefusal(what: string, reason: string): void {
  if (refusalsLogged.has(what)) return;
  refusalsLogged.add(what);
  console.warn(`tunnelscope: ${what} could not be lowered (${reason}); it runs at the server's priority (TUNNELSCOPE_BACKGROUND_NICE)`);
}

/**
 * Lowers a process this one started in a session of its own, and whatever it starts afterwards. Under the kernel's
 * autogroup scheduling (a desktop or a bare host, not a container's cgroup) a new session is scheduled as a group
 * of its own, weighed against this whole server whatever the processes' nice: the group's nice is lowered too.
 */
export function lowerSession(pid: number, nice: number): void {
  if (process.platform !== 'linux' || nice <= 0) return;
  try {
    os.setPriority(pid, nice);
  } catch (error) {
    logRefusal('a collection process', error instanceof Error ? error.message : String(error));
  }
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch (error) {
    // A kernel without autogroup has no such file; the process may also have ended already.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ESRCH') {
      logRefusal("a collection's process group", error instanceof Error ? error.message : String(error));
    }
  }
}
