import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { lowerSession } from '../background';
import type { CommandStatus } from '../types';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  durationMs: number;
  status: CommandStatus;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Written to the command's stdin (the collector script); without it stdin is empty. */
  input?: string;
  /** Takes standard output as it arrives (a collector's, read while it streams); the result's stdout is then empty. */
  onStdout?: (text: string) => void;
  /** Stops the command, and everything it started, once aborted. */
  signal?: AbortSignal;
}

/**
 * How a command reaches a host: argv in, outputs out. Nothing is ever joined into a shell string,
 * so a local process, `nsenter`, a Kubernetes exec or SSH with a fixed remote argv all fit.
 * A runner resolves for every command outcome; it rejects only when the host itself cannot be reached.
 */
export interface Runner {
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  /**
   * A directory of the host the commands run on where this process can make and remove files (this machine's
   * temporary directory for a local process). A command's scratch directory made there can then be removed once its
   * run has resolved, however it ended. Runners whose host's files are out of reach have none.
   */
  readonly scratchRoot?: string;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Wrappers report a binary they could not start on stderr instead of failing themselves:
 * `ip netns exec` → `exec of "X" failed: No such file or directory`;
 * nsenter → `nsenter: failed to execute X: No such file or directory`;
 * sh -c (kubectl exec) → `sh: 1: X: not found` with exit 127.
 */
const WRAPPED_MISSING_TOOL = [
  /^exec of ".*" failed: No such file or directory/m,
  /^nsenter: failed to execute .*: No such file or directory/m,
  /^chroot: failed to run command .*: No such file or directory/m,
  /^(?:\S*sh)(?:: line \d+| \d+|: \d+)?: \S+: (?:command )?not found$/m,
];

export function statusFromExit(exitCode: number | null, stderr: string): CommandStatus {
  if (exitCode === 0) return 'ok';
  if (exitCode !== null && exitCode !== 0 && WRAPPED_MISSING_TOOL.some((re) => re.test(stderr))) return 'missing-tool';
  return 'error';
}

/** Time a stopped command has to end on SIGTERM (the collector removes its scratch files) before SIGKILL. */
const STOP_GRACE_MS = 1_000;

/** The live (not zombie) processes of the session `sid` leads; null without /proc. */
function sessionPids(sid: number): number[] | null {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name in parentheses: state, ppid, pgrp, session.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid && fields[0] !== 'Z' && fields[0] !== 'X') pids.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return pids;
}

/**
 * Signals every process of the session `sid` leads. A process group is not enough: a tool may move what it runs into
 * a group of its own, as coreutils `timeout` does (the collector no longer uses it, a runner's command still may).
 */
function signalSession(sid: number, signal: NodeJS.Signals): void {
  // No /proc: the command's own process group is all that can be named.
  signalEach(sessionPids(sid) ?? [-sid], signal);
}

function signalEach(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** How long a killed session may take to be gone: past it (a process stuck in the kernel) the result stops waiting. */
const SESSION_END_BOUND_MS = 10_000;

/**
 * Kills what is left of the session `sid` and resolves once none of it lives, so that what it wrote can be removed
 * without a process of it still writing there.
 */
async function endSession(sid: number): Promise<void> {
  const bound = performance.now() + SESSION_END_BOUND_MS;
  for (;;) {
    const pids = sessionPids(sid);
    if (pids === null || pids.length === 0 || performance.now() > bound) return;
    signalEach(pids, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A stream's text, decoded as it arrives: handed on, or kept up to a limit. */
class Output {
  private readonly decoder = new StringDecoder('utf8');
  private readonly pieces: string[] = [];
  private bytes = 0;

  constructor(private readonly sink?: (text: string) => void) {}

  /** False once more than the limit would be kept. */
  add(chunk: Buffer): boolean {
    const text = this.decoder.write(chunk);
    if (this.sink) {
      if (text !== '') this.sink(text);
      return true;
    }
    this.bytes += chunk.length;
    if (this.bytes > MAX_OUTPUT_BYTES) return false;
    this.pieces.push(text);
    return true;
  }

  text(): string {
    const rest = this.decoder.end();
    if (this.sink) {
      if (rest !== '') this.sink(rest);
      return '';
    }
    return this.pieces.join('') + rest;
  }
}

const SHM = '/dev/shm';
const TMPFS_MAGIC = 0x01021994;
const SHM_ROOM_BYTES = 256 * 1024 * 1024;

/**
 * Where a local command's scratch directory goes, by the collector script's own rule: $TMPDIR when set, else
 * /dev/shm when it is a writable tmpfs with 256 MiB free (making many small files costs more on a disk; a
 * container's small /dev/shm is left alone), else the temporary directory.
 */
export function localScratchRoot(): string {
  if (process.env.TMPDIR) return os.tmpdir();
  try {
    const shm = statfsSync(SHM);
    if (shm.type === TMPFS_MAGIC && shm.bavail * shm.bsize >= SHM_ROOM_BYTES) {
      accessSync(SHM, constants.W_OK);
      return SHM;
    }
  } catch {
    // No /dev/shm, or not writable: the temporary directory.
  }
  return os.tmpdir();
}

type Stop = 'timeout' | 'cancelled' | 'overflow';

/**
 * Runs argv as a local process, in a session of its own: a timeout or a cancel stops the process and everything it
 * started (SIGTERM, then SIGKILL), and what it printed until then is kept.
 */
export class LocalRunner implements Runner {
  /** `nice`: the CPU priority of the processes run (0–19; 0 leaves them at this process's), as background work has. */
  constructor(private readonly options: { nice?: number } = {}) {}

  get scratchRoot(): string {
    return localScratchRoot();
  }

  run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = performance.now();
    return new Promise((resolve) => {
      if (argv.length === 0) {
        resolve({ stdout: '', stderr: 'empty command', exitCode: null, durationMs: 0, status: 'error' });
        return;
      }
      const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      // Before its input is written: the collector script has not started anything yet, so all of it runs lowered.
      if (child.pid !== undefined) lowerSession(child.pid, this.options.nice ?? 0);
      const stdout = new Output(opts.onStdout);
      const stderr = new Output();
      let stopped: Stop | null = null;
      let startError: NodeJS.ErrnoException | null = null;
      const timers: NodeJS.Timeout[] = [];
      const stop = (why: Stop): void => {
        if (stopped || child.pid === undefined) return;
        stopped = why;
        const sid = child.pid;
        signalSession(sid, 'SIGTERM');
        timers.push(
          setTimeout(() => {
            signalSession(sid, 'SIGKILL');
            // A process that left the session may still hold the pipes: the result does not wait for it.
            timers.push(setTimeout(() => (child.stdout.destroy(), child.stderr.destroy()), STOP_GRACE_MS));
          }, STOP_GRACE_MS),
        );
      };
      const onAbort = (): void => stop('cancelled');
      timers.push(setTimeout(() => stop('timeout'), timeoutMs));
      if (opts.signal?.aborted) onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => {
        if (!stdout.add(chunk)) stop('overflow');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (!stderr.add(chunk)) stop('overflow');
      });
      child.on('error', (error: NodeJS.ErrnoException) => (startError ??= error));
      child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
        for (const timer of timers) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        const durationMs = Math.round(performance.now() - started);
        const ended = { stdout: stdout.text(), stderr: stderr.text(), exitCode: code, durationMs };
        const result = toResult(ended, { stopped, startError, signal, tool: argv[0], timeoutMs });
        // A command stopped here or killed by a signal could not end what it started: what outlived it (by ignoring
        // SIGTERM, or orphaned) does not outlive the result, so its scratch files can be removed once it resolves.
        if ((stopped || signal) && child.pid !== undefined) void endSession(child.pid).then(() => resolve(result));
        else resolve(result);
      });
      // A command that exits without reading its input closes the pipe: that is its business, not an error here.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input ?? '');
    });
  }
}

interface Ending {
  stopped: Stop | null;
  startError: NodeJS.ErrnoException | null;
  signal: NodeJS.Signals | null;
  tool: string;
  timeoutMs: number;
}

function toResult(ended: Omit<RunResult, 'status'>, how: Ending): RunResult {
  const { stdout, stderr, durationMs } = ended;
  if (how.startError?.code === 'ENOENT') return { stdout, stderr: stderr || `${how.tool}: command not found`, exitCode: null, durationMs, status: 'missing-tool' };
  if (how.startError) return { stdout, stderr: appendLine(stderr, how.startError.message), exitCode: null, durationMs, status: 'error' };
  if (how.stopped === 'overflow') {
    return { stdout, stderr: appendLine(stderr, `output exceeded the ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB limit and was cut`), exitCode: null, durationMs, status: 'error' };
  }
  if (how.stopped === 'timeout') return { stdout, stderr: appendLine(stderr, `killed after ${how.timeoutMs} ms timeout`), exitCode: null, durationMs, status: 'timeout' };
  if (how.stopped === 'cancelled') return { stdout, stderr: appendLine(stderr, 'cancelled'), exitCode: null, durationMs, status: 'error' };
  if (ended.exitCode === null) return { stdout, stderr: stderr || `killed by ${how.signal ?? 'a signal'}`, exitCode: null, durationMs, status: 'error' };
  return { stdout, stderr, exitCode: ended.exitCode, durationMs, status: statusFromExit(ended.exitCode, stderr) };
}

function appendLine(text: string, line: string): string {
  return text && !text.endsWith('\n') ? `${text}\n${line}` : `${text}${line}`;
}

/**
 * Prepends a fixed argv, e.g. ['nsenter', '--net=/run/netns/x', '--'] or ['ip', 'netns', 'exec', 'x'].
 * Note: a net-only nsenter keeps the caller's mount namespace, so `ip netns` inside still sees the
 * caller's /run/netns; a lab host that owns its own named namespaces needs a mount-namespace prefix too
 * (e.g. ['nsenter', '--net=…', '--mount=…', '--']).
 */
export class PrefixRunner implements Runner {
  constructor(
    private readonly prefix: readonly string[],
    private readonly inner: Runner,
  ) {}

  /** The inner runner's: a prefix that enters a mount namespace keeps that directory in view (the lab's hosts do). */
  get scratchRoot(): string | undefined {
    return this.inner.scratchRoot;
  }

  async run(argv: string[], opts?: RunOptions): Promise<RunResult> {
    const result = await this.inner.run([...this.prefix, ...argv], opts);
    if (result.status === 'error') return { ...result, status: statusFromExit(result.exitCode, result.stderr) };
    return result;
  }
}
