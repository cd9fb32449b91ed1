import { execFile } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs argv without a shell; never throws for a non-zero exit, only reports it. */
export function exec(argv: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    execFile(file, args, { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, env: opts.env, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr, exitCode: 0 });
      const code = (error as NodeJS.ErrnoException & { code?: unknown }).code;
      const exitCode = typeof code === 'number' ? code : 127;
      const detail = typeof code === 'string' ? `${stderr}${stderr ? '\n' : ''}${error.message}` : stderr;
      resolve({ stdout, stderr: detail, exitCode });
    });
  });
}

export class LabCommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly result: ExecResult,
    context: string,
  ) {
    super(`${context}: \`${argv.join(' ')}\` exited ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-2).join(' ')}`);
    this.name = 'LabCommandError';
  }
}

/** Runs argv and throws a readable error when it fails. */
export async function must(argv: string[], context = 'lab'): Promise<string> {
  const result = await exec(argv);
  if (result.exitCode !== 0) throw new LabCommandError(argv, result, context);
  return result.stdout;
}
