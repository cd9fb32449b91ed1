/**
 * A throwaway PostgreSQL cluster for tests: Debian's server binaries, a temp data directory, trust auth,
 * listening on 127.0.0.1 at a free port and on a unix socket inside the temp directory.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const PG_BIN = process.env.TUNNELSCOPE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresCluster {
  url: string;
  /** Creates a fresh empty database in the cluster and returns its URL. */
  createDatabase(name: string): string;
  /** Stops the server as a crash would (immediate mode) and starts it again on the same port and data. */
  restart(): void;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a server binary as the `postgres` user when we are root (initdb refuses to run as root). */
function runAsPostgres(binary: string, args: string[]): string {
  const file = path.join(PG_BIN, binary);
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startPostgres(): Promise<PostgresCluster> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsst-pg-'));
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(root, uid, gid);
  }
  fs.chmodSync(root, 0o700);
  const port = await freePort();
  runAsPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const serverOptions = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  try {
    runAsPostgres('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
  } catch (error) {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    fs.rmSync(root, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${String(error)}\n${log}`);
  }
  const base = `postgres://postgres@127.0.0.1:${port}`;
  let stopped = false;
  return {
    url: `${base}/postgres`,
    createDatabase(name: string): string {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      runAsPostgres('createdb', ['-h', root, '-p', String(port), '-U', 'postgres', name]);
      return `${base}/${name}`;
    },
    restart(): void {
      runAsPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      runAsPostgres('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      try {
        runAsPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
