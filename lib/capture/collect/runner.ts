import { execFile } from 'node:child_process';
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
  /** Written to the command's stdin (an iproute2 batch); without it stdin is empty. */
  input?: string;
}

/**
 * How a command reaches a host: argv in, outputs out. Nothing is ever joined into a shell string,
 * so a local process, `nsenter`, a Kubernetes exec or SSH with a fixed remote argv all fit.
 * A runner resolves for every command outcome; it rejects only when the host itself cannot be reached.
 */
export interface Runner {
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 20_000;
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

interface ExecError extends Error {
  code?: string | number;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

function asExecError(err: unknown): ExecError | null {
  return err instanceof Error ? (err as ExecError) : null;
}

/** Runs argv as a local process. */
export class LocalRunner implements Runner {
  constructor(private readonly defaults: { timeoutMs?: number; maxBufferBytes?: number } = {}) {}

  run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const timeoutMs = opts.timeoutMs ?? this.defaults.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const started = performance.now();
    return new Promise((resolve) => {
      if (argv.length === 0) {
        resolve({ stdout: '', stderr: 'empty command', exitCode: null, durationMs: 0, status: 'error' });
        return;
      }
      const child = execFile(
        argv[0],
        argv.slice(1),
        { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: this.defaults.maxBufferBytes ?? MAX_OUTPUT_BYTES, encoding: 'utf8', windowsHide: true },
        (err, stdout, stderr) => {
          const durationMs = Math.round(performance.now() - started);
          resolve(toResult(asExecError(err), stdout, stderr, durationMs, argv[0], timeoutMs));
        },
      );
      // A command that exits without reading its input closes the pipe: that is its business, not an error here.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(opts.input ?? '');
    });
  }
}

function toResult(err: ExecError | null, stdout: string, stderr: string, durationMs: number, tool: string, timeoutMs: number): RunResult {
  if (!err) return { stdout, stderr, exitCode: 0, durationMs, status: 'ok' };
  if (err.code === 'ENOENT') {
    return { stdout, stderr: stderr || `${tool}: command not found`, exitCode: null, durationMs, status: 'missing-tool' };
  }
  if (err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return { stdout, stderr: appendLine(stderr, `output exceeded the ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB limit and was cut`), exitCode: null, durationMs, status: 'error' };
  }
  if (err.killed) {
    return { stdout, stderr: appendLine(stderr, `killed after ${timeoutMs} ms timeout`), exitCode: null, durationMs, status: 'timeout' };
  }
  const exitCode = typeof err.code === 'number' ? err.code : null;
  const detail = exitCode === null && !stderr ? err.message : stderr;
  return { stdout, stderr: detail, exitCode, durationMs, status: exitCode === null ? 'error' : statusFromExit(exitCode, stderr) };
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

  async run(argv: string[], opts?: RunOptions): Promise<RunResult> {
    const result = await this.inner.run([...this.prefix, ...argv], opts);
    if (result.status === 'error') return { ...result, status: statusFromExit(result.exitCode, result.stderr) };
    return result;
  }
}
