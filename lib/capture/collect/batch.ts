/**
 * iproute2 batches: a namespace's ip, tc and bridge commands that share a tool and global options run as one
 * `TOOL [-n NS] OPTIONS -force -batch -`, which enters the namespace once and starts one process instead of one per
 * command. The output is split back into one record per command, as if each had run alone: a JSON command prints
 * exactly one line when it succeeds and nothing when it fails, and iproute2 names each failed line
 * ("Command failed -:N") after that line's messages. When the output does not add up, there is no split: the
 * caller runs the commands one by one. The collector script does the same in sh and awk.
 */
import type { CommandStatus } from '../types';
import type { RunResult } from './runner';

const BATCH_TOOLS = new Set(['ip', 'tc', 'bridge']);
/** Words iproute2's batch reader splits back unchanged (no quotes, comment signs, backslashes or blanks). */
const BATCH_SAFE = /^[A-Za-z0-9_@+=:,./-]+$/;
const FAILED_LINE = /^Command failed .*:(\d+)$/;

/** The batch a command can join ("TOOL OPTIONS") and its batch line, or null when it must run alone. */
export function batchSlot(argv: readonly string[]): { key: string; line: string } | null {
  if (!BATCH_TOOLS.has(argv[0] ?? '')) return null;
  let i = 1;
  while (i < argv.length && argv[i].startsWith('-')) i++;
  const rest = argv.slice(i);
  if (rest.length === 0 || !rest.every((w) => BATCH_SAFE.test(w))) return null;
  return { key: argv.slice(0, i).join(' '), line: rest.join(' ') };
}

/** argv of a batch: its key's tool, `-n NETNS` when not the root namespace, its options, then the batch flags. */
export function batchArgv(key: string, netns: string | null): string[] {
  const [tool, ...options] = key.split(' ');
  return [tool, ...(netns === null ? [] : ['-n', netns]), ...options, '-force', '-batch', '-'];
}

export type BatchPart = Pick<RunResult, 'stdout' | 'stderr' | 'exitCode' | 'status' | 'durationMs'>;

/** One result per batch line, or null when the batch's output cannot be told apart per command. */
export function splitBatch(lines: number, result: RunResult): BatchPart[] | null {
  if (lines === 0 || (result.status !== 'ok' && result.status !== 'error') || result.exitCode === null) return null;
  const failed = new Map<number, string[]>();
  let pending: string[] = [];
  for (const line of result.stderr.split('\n')) {
    const m = FAILED_LINE.exec(line);
    if (!m) {
      if (line !== '') pending.push(line);
      continue;
    }
    const at = Number(m[1]);
    if (at < 1 || at > lines || failed.has(at)) return null;
    failed.set(at, pending);
    pending = [];
  }
  const out = result.stdout === '' ? [] : result.stdout.replace(/\n$/, '').split('\n');
  if (!result.stdout.endsWith('\n') && result.stdout !== '') return null;
  if (out.length + failed.size !== lines || (failed.size === 0 && result.exitCode !== 0)) return null;
  const durationMs = Math.round(result.durationMs / lines);
  let next = 0;
  return Array.from({ length: lines }, (_, i): BatchPart => {
    const messages = failed.get(i + 1);
    // Messages after the last failed line came from commands that succeeded; they stay with the batch's last one.
    const stderr = [...(messages ?? []), ...(i === lines - 1 ? pending : [])];
    const status: CommandStatus = messages ? 'error' : 'ok';
    return {
      stdout: messages ? '' : `${out[next++]}\n`,
      stderr: stderr.length ? `${stderr.join('\n')}\n` : '',
      exitCode: messages ? 1 : 0,
      status,
      durationMs,
    };
  });
}
