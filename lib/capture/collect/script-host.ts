/**
 * One host, one run: every source that reaches a host runs the collector script (public/tunnelscope-collect.sh, the
 * one users download) once there, hands its output to the collector-output reader as it arrives, and lowers the
 * host's status by what the run itself said (exited, cut, timed out, cancelled). A cluster runs it over an exec or
 * SSH, this machine and the lab through a Runner.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { CollectorOutputReader } from './collector-output';
import type { RunResult, Runner } from './runner';
import { redactHost } from '../redact';
import type { HostCapture, HostRole } from '../types';

/**
 * The script travels on standard input, not as an argument (an exec's argv is its query string, which proxies and API
 * servers limit): `sh` reads exactly its byte count with `head -c` and evaluates it with the arguments as words.
 */
const READ_AND_RUN = 'n=$1; shift; eval "$(head -c "$n")"';

/** argv that runs `script` (given on standard input) with `scriptArgs`, after `enter` has entered the host. */
export function scriptArgv(script: string, run: { enter?: readonly string[]; scriptArgs: readonly string[] }): string[] {
  return [...(run.enter ?? []), 'sh', '-c', READ_AND_RUN, 'tunnelscope-collect', String(Buffer.byteLength(script)), ...run.scriptArgs];
}

/** How a run of the script ended, as the host's status needs it. */
export interface ScriptEnd {
  /** ok: exited 0 · exit: a non-zero exit · cut: the output ended without an exit status · timeout · cancelled · refused: it never started. */
  outcome: 'ok' | 'exit' | 'cut' | 'timeout' | 'cancelled' | 'refused';
  /** What went wrong, in a sentence for the user (empty when ok). */
  reason: string;
  stderr: string;
}

export interface ScriptHost {
  /** The name the capture records; without it, the name the host printed. */
  name?: string;
  /** The role the capture records; without it, the one the script found. */
  role?: HostRole;
  /** The name of a host that printed nothing; `name`, else "unknown", by default. */
  fallbackName?: string;
}

function failedHost(name: string, role: HostRole | undefined, error: string): HostCapture {
  return { name, role: role ?? 'unknown', collectedAt: new Date().toISOString(), status: 'failed', error, namespaces: [] };
}

/** The capture `reader` read from one run of the script; `end` (cut, timeout, exit) lowers the status. */
export function hostFromScript(reader: CollectorOutputReader, end: ScriptEnd, target: ScriptHost): HostCapture {
  const fallbackName = target.fallbackName ?? target.name ?? 'unknown';
  if (!reader.printed) return failedHost(fallbackName, target.role, end.reason || end.stderr.trim().split('\n')[0] || 'the collector printed nothing');
  const { hosts, problems } = reader.end();
  const read = hosts[0];
  if (!read) return failedHost(fallbackName, target.role, problems[0]?.message ?? 'the collector output could not be read');
  const host: HostCapture = { ...read, name: target.name ?? read.name, role: target.role ?? read.role };
  if (end.outcome === 'ok' && problems.length === 0) return redactHost(host);
  const reason = end.reason || problems[0]?.message || 'the collector did not finish';
  return redactHost({ ...host, status: host.status === 'failed' ? 'failed' : 'partial', error: reason });
}

/** The capture read from a run's whole output. */
export function hostFromOutput(stdout: string, end: ScriptEnd, target: ScriptHost): HostCapture {
  const reader = new CollectorOutputReader();
  reader.write(stdout);
  return hostFromScript(reader, end, target);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function endOf(result: RunResult, timeoutMs: number, signal: AbortSignal | undefined): ScriptEnd {
  const { stderr } = result;
  if (signal?.aborted) return { outcome: 'cancelled', reason: 'cancelled', stderr };
  if (result.status === 'ok') return { outcome: 'ok', reason: '', stderr };
  if (result.status === 'timeout') return { outcome: 'timeout', reason: `the collector did not finish within ${Number((timeoutMs / 1000).toFixed(1))} s`, stderr };
  if (result.status === 'missing-tool') return { outcome: 'refused', reason: firstLine(stderr) || 'the collector could not start', stderr };
  if (result.exitCode !== null) return { outcome: 'exit', reason: firstLine(stderr) || `the collector exited with code ${result.exitCode}`, stderr };
  return { outcome: 'cut', reason: firstLine(stderr) || 'the collector stopped before it finished', stderr };
}

export interface ScriptRunOptions extends ScriptHost {
  /** The script's own options (--netns, --no-netns, --timeout, --parallel); `--role` is added from `role`, `--tmpdir` from the runner. */
  scriptArgs?: readonly string[];
  /** The whole host's time: past it the script and everything it started are stopped, and what it printed is kept. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_HOST_TIMEOUT_MS = 300_000;

/**
 * Runs the script once through `runner` (which enters the host) and reads its output as it streams. Never throws.
 * Where the runner reaches the host's files, the script's scratch directory goes in one made here and removed after
 * the run, however it ended: a script killed outright cannot remove its own.
 */
export async function collectWithScript(runner: Runner, script: string, opts: ScriptRunOptions = {}): Promise<HostCapture> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HOST_TIMEOUT_MS;
  const reader = new CollectorOutputReader();
  let scratch: string | undefined;
  try {
    scratch = runner.scratchRoot === undefined ? undefined : await mkdtemp(path.join(runner.scratchRoot, 'tunnelscope-run-'));
    const scriptArgs = [...(opts.role ? ['--role', opts.role] : []), ...(scratch === undefined ? [] : ['--tmpdir', scratch]), ...(opts.scriptArgs ?? [])];
    const result = await runner.run(scriptArgv(script, { scriptArgs }), { input: script, timeoutMs, signal: opts.signal, onStdout: (text) => reader.write(text) });
    return hostFromScript(reader, endOf(result, timeoutMs, opts.signal), opts);
  } catch (error) {
    return failedHost(opts.fallbackName ?? opts.name ?? 'unknown', opts.role, error instanceof Error ? error.message : String(error));
  } finally {
    // A file still being removed by a dying process is retried; what cannot be removed is not the capture's failure.
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}
