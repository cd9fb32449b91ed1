/**
 * One command in a pod's container over the API server's exec (WebSocket, channel protocol), its whole output
 * gathered. The exit code comes from the status channel; a stream that closes without a status was cut.
 */
import { StringDecoder } from 'node:string_decoder';
import { PassThrough, Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import type { ScriptEnd } from '@/lib/capture/collect/script-host';
import { describeKubeError, isTransient } from './errors';

export interface PodRef {
  namespace: string;
  name: string;
  container?: string;
}

/** outcome ok: a Success status · exit: a non-zero exit code · cut: the stream ended without a status · refused: the upgrade failed. */
export interface PodExecResult extends ScriptEnd {
  /** Empty when PodExecOptions.onStdout took it. */
  stdout: string;
  exitCode: number | null;
}

export interface PodExecOptions {
  timeoutMs: number;
  /**
   * Bytes written to the command's standard input, which is then left open: on the v4 protocol the client library
   * closes the whole exec when stdin ends, so the command must read exactly what it needs (`head -c N`).
   */
  stdin?: Buffer;
  signal?: AbortSignal;
  /** Attempts when the upgrade itself fails transiently (429, 5xx, reset). */
  attempts?: number;
  /**
   * Takes standard output as it arrives instead of the result. Only an upgrade that fails is retried, before any
   * output, so it sees one command's output once.
   */
  onStdout?: (text: string) => void;
}

/**
 * A stream's text, decoded frame by frame: a character cut between frames is completed by the next one. Joining the
 * bytes and decoding them at the end took some 17 ms per MiB on this machine against under 1 ms for frames handed on
 * as they come (onStdout), and held the bytes and their text at once.
 */
class Collect extends Writable {
  private readonly decoder = new StringDecoder('utf8');
  private readonly pieces: string[] = [];

  constructor(private readonly sink?: (text: string) => void) {
    super();
  }

  private take(text: string): void {
    if (text === '') return;
    if (this.sink) this.sink(text);
    else this.pieces.push(text);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.take(this.decoder.write(chunk));
    done();
  }

  text(): string {
    this.take(this.decoder.end());
    return this.pieces.join('');
  }
}

/** `NonZeroExitCode` statuses carry the code as details.causes[{reason: 'ExitCode', message: '3'}]. */
export function exitCodeOf(status: V1Status): number | null {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message !== undefined ? Number.parseInt(cause.message, 10) : NaN;
  return Number.isNaN(code) ? null : code;
}

interface Attempt extends PodExecResult {
  /** The upgrade failed in a way worth another try. */
  transient: boolean;
}

function oneAttempt(kc: KubeConfig, pod: PodRef, command: string[], opts: PodExecOptions): Promise<Attempt> {
  const stdout = new Collect(opts.onStdout);
  const stderr = new Collect();
  const input = opts.stdin ? new PassThrough() : null;
  if (input && opts.stdin) input.write(opts.stdin);
  return new Promise((resolve) => {
    let settled = false;
    let status: V1Status | undefined;
    let socket: { close(): void; terminate?: () => void } | undefined;
    const finish = (outcome: PodExecResult['outcome'], reason: string, exitCode: number | null, transient = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Destroyed, never ended: an end would close a v4 exec.
      input?.destroy();
      // Closing the socket ends the exec: the API server kills the process it started.
      if (socket?.terminate) socket.terminate();
      else socket?.close();
      resolve({ stdout: stdout.text(), stderr: stderr.text(), exitCode, outcome, reason, transient });
    };
    const onAbort = (): void => finish('cancelled', 'cancelled', null);
    const timer = setTimeout(() => finish('timeout', `no answer within ${Math.round(opts.timeoutMs / 1000)} s`, null), opts.timeoutMs);
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const onStatus = (s: V1Status): void => {
      status = s;
    };
    new Exec(kc)
      .exec(pod.namespace, pod.name, pod.container ?? '', command, stdout, stderr, input, false, onStatus)
      .then((ws) => {
        socket = ws;
        if (settled) return ws.terminate();
        ws.on('close', () => {
          if (!status) return finish('cut', 'the exec stream ended before the command reported its exit status', null);
          const code = exitCodeOf(status);
          if (code === 0) finish('ok', '', 0);
          else finish('exit', status.message ?? `exited with code ${code ?? 'unknown'}`, code);
        });
      })
      .catch((error: unknown) => {
        const reason = describeKubeError(error, { verb: 'create', resource: 'pods/exec', namespace: pod.namespace });
        finish('refused', reason, null, isTransient(error));
      });
  });
}

/** Runs argv in the pod; retries an upgrade that failed transiently. Never throws. */
export async function execInPod(kc: KubeConfig, pod: PodRef, command: string[], opts: PodExecOptions): Promise<PodExecResult> {
  const attempts = opts.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const { transient, ...result } = await oneAttempt(kc, pod, command, opts);
    if (!transient || attempt >= attempts || opts.signal?.aborted) return result;
    await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
  }
}
