/** The commands that run the dashboard: serve, and demo (a lab or the bundled sample, a snapshot, then serve). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { stringOption, UsageError, type ParsedArgs } from './args';
import { createSnapshot } from './capture';
import type { Io } from './io';
import type { CaptureKind } from '@/lib/capture/source-kinds';
import { captureFromSource } from '@/lib/sources';
import { PROJECT_HOME } from '@/lib/sources/files';
import { labPrerequisites, labUp } from '@/lib/lab';
import { AuthConfigError, authConfigFromEnv } from '@/lib/auth/config';
import { createFront, type NextHandler } from '@/lib/serve/front';
import { startFrontThread } from '@/lib/serve/front-thread';

function nextBin(): string {
  return path.join(PROJECT_HOME, 'node_modules', 'next', 'dist', 'bin', 'next');
}

/**
 * Runs Next.js in the checkout. The data directory stays where the command was run from (as for `snapshot`,
 * which writes the same store), so a relative TUNNELSCOPE_DATA_DIR or the default ./data is made absolute first.
 */
function runNext(argv: string[]): Promise<number> {
  // Next.js would otherwise send usage telemetry to Vercel from an operator's machine.
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TUNNELSCOPE_DATA_DIR: path.resolve(process.env.TUNNELSCOPE_DATA_DIR ?? './data') };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [nextBin(), ...argv], { stdio: 'inherit', env, cwd: PROJECT_HOME });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function ensureBuilt(io: Io): Promise<void> {
  if (existsSync(path.join(PROJECT_HOME, '.next', 'BUILD_ID'))) return;
  io.err('building the dashboard (first start only)…');
  const code = await runNext(['build']);
  if (code !== 0) throw new UsageError('the dashboard build failed; see the output above');
}

export async function cmdServe(args: ParsedArgs, io: Io): Promise<number> {
  const port = stringOption(args, 'port', 'p') ?? process.env.PORT ?? '3000';
  if (!/^\d{1,5}$/.test(port)) throw new UsageError(`invalid port "${port}"`);
  const host = stringOption(args, 'host') ?? process.env.TUNNELSCOPE_HOST ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(host)) throw new UsageError(`invalid host "${host}"`);
  // Checked here too, so the refusal comes before a build; the server checks again as it starts.
  try {
    authConfigFromEnv({ ...process.env, TUNNELSCOPE_HOST: host });
  } catch (error) {
    if (error instanceof AuthConfigError) throw new UsageError(error.message);
    throw error;
  }
  await ensureBuilt(io);
  return serveDashboard(host, Number(port), io);
}

/**
 * A link opened by hundreds at once opens as many connections at once: Node's default backlog (511) overflows and the
 * dropped connections wait for the client's SYN retries (1, 3, 7 s), far past everyone else.
 */
const BACKLOG = 4096;

/** TUNNELSCOPE_FRONT_THREAD=0: the front answers in Next.js's thread, as before the front thread (for comparison). */
function frontThreadWanted(): boolean {
  return !['0', 'false', 'no'].includes((process.env.TUNNELSCOPE_FRONT_THREAD ?? '').trim().toLowerCase());
}

/** The front in Next.js's thread, listening itself. */
async function listenInProcess(next: NextHandler, host: string, port: number): Promise<() => Promise<void>> {
  const server = createServer(createFront(next).handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: BACKLOG }, resolve);
  });
  return async () => {
    server.close();
    server.closeAllConnections();
  };
}

/**
 * Next.js in this process behind the front (lib/serve/front.ts), which sends what never changes (a snapshot's
 * pages and answers) from its cache and hands everything else to Next.js; the front thread (front-thread.ts) listens
 * and sends the kept answers away from Next.js's thread.
 */
async function serveDashboard(host: string, port: number, io: Io): Promise<number> {
  Object.assign(process.env, {
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    TUNNELSCOPE_DATA_DIR: path.resolve(process.env.TUNNELSCOPE_DATA_DIR ?? './data'),
    // instrumentation.ts reads the listening address from here, as with the standalone server.
    HOSTNAME: host,
  });
  const { default: next } = await import('next');
  const app = next({ dev: false, dir: PROJECT_HOME, hostname: host, port });
  await app.prepare();
  const handler = app.getRequestHandler();
  let stopListening: () => Promise<void>;
  if (frontThreadWanted()) {
    const thread = await startFrontThread(handler, { host, port, backlog: BACKLOG });
    thread.on('failed', (error: Error) => {
      io.err(`tunnelscope: stopping: ${error.message}`);
      process.exit(1);
    });
    stopListening = () => thread.close();
  } else {
    stopListening = await listenInProcess(handler, host, port);
  }
  io.err(`dashboard on http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? 'localhost' : host}:${port}`);
  // As `next start` does: stop taking requests and end at once, whatever is still running (an analysis thread).
  return new Promise(() => {
    const stop = () => void stopListening().finally(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function cmdDemo(args: ParsedArgs, io: Io): Promise<number> {
  const prereq = await labPrerequisites();
  let kind: CaptureKind = 'sample';
  if (prereq.ok) {
    io.err('starting the lab (default scenario: the peer-pod MAC mismatch)…');
    await labUp({ scenario: 'default' });
    kind = 'lab';
  } else {
    io.err(`the lab cannot run here (${prereq.missing.join(', ')}); showing the bundled sample captured from the lab`);
  }
  const bundle = await captureFromSource(kind);
  const port = stringOption(args, 'port', 'p') ?? process.env.PORT ?? '3000';
  process.env.PORT = port;
  process.env.TUNNELSCOPE_DEFAULT_SOURCE = kind;
  const link = await createSnapshot(bundle, kind === 'lab' ? 'Lab: peer-pod MAC mismatch' : 'Sample: peer-pod MAC mismatch', undefined);
  io.out(`incident snapshot: ${link}`);
  return cmdServe(args, io);
}
