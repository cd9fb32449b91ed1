import { CATALOG, fillArgv, type CatalogEntry } from '../catalog';
import { hostStatus } from './host-status';
import { batchArgv, batchSlot, splitBatch } from './batch';
import { Limiter, mapWithLimit } from './pool';
import { DEFAULT_COMMAND_TIMEOUT_MS, type RunResult, type Runner } from './runner';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type CaptureBundle, type CaptureSource, type ClusterContext, type CommandRecord, type HostCapture, type HostRole, type NamespaceCapture } from '../types';
import { redactHost } from '../redact';
import { SYSCTL_FILES_READER } from '@/lib/commands/sysctl';

export interface CollectHostOptions {
  name?: string;
  role?: HostRole;
  commandTimeoutMs?: number;
  /** Budget for the whole host; commands that would start after it are recorded as timeouts, not run. */
  hostTimeoutMs?: number;
  /** Which named namespaces to enter (default: all listed by `ip -j netns list`). */
  includeNetns?: (name: string) => boolean;
  /** Commands in flight at once on this host, all its namespaces together. */
  concurrency?: number;
  /** The command catalog; defaults to CATALOG. */
  catalog?: readonly CatalogEntry[];
  now?: () => Date;
}

export interface CollectHostsOptions extends Omit<CollectHostOptions, 'name' | 'role'> {
  /** Hosts collected at once. */
  hostConcurrency?: number;
  source?: CaptureSource;
  cluster?: ClusterContext;
}

export interface CollectTarget {
  name: string;
  role: HostRole;
  runner: Runner;
}

const DEFAULT_HOST_TIMEOUT_MS = 300_000;
const DEFAULT_CONCURRENCY = 4;

/**
 * Namespace names come from the host and go only as one argv element each; a name that `ip` could
 * read as an option or a path is refused.
 */
export function isSafeNetnsName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !name.includes('/') && !name.startsWith('-') && !name.includes('\0');
}

interface Job {
  entry: CatalogEntry;
  netns: string | null;
  params?: Record<string, string>;
}

class HostSession {
  private readonly deadline: number;
  private readonly slots: Limiter;
  /** False once the host turned out to have no nsenter: named namespaces are then entered by `ip netns exec`. */
  private nsenter = true;

  constructor(
    private readonly runner: Runner,
    private readonly opts: CollectHostOptions,
  ) {
    this.deadline = Date.now() + (opts.hostTimeoutMs ?? DEFAULT_HOST_TIMEOUT_MS);
    this.slots = new Limiter(opts.concurrency ?? DEFAULT_CONCURRENCY);
  }

  private remaining(): number {
    return this.deadline - Date.now();
  }

  /**
   * Runs argv once a slot is free; out of time when the host's budget ran out while it waited. argv is made when the
   * slot is taken, so what earlier commands taught (no nsenter) applies to every later one.
   */
  private exec(argv: () => string[], input?: string): Promise<RunResult> {
    return this.slots.run(async () => {
      const timeoutMs = Math.min(this.opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, this.remaining());
      if (timeoutMs <= 0) return OUT_OF_TIME;
      try {
        return await this.runner.run(argv(), { timeoutMs, ...(input === undefined ? {} : { input }) });
      } catch (err) {
        return { stdout: '', stderr: err instanceof Error ? err.message : String(err), exitCode: null, durationMs: 0, status: 'error' };
      }
    });
  }

  /** argv in the job's namespace: nsenter enters only the network namespace, where `ip netns exec` also sets up a mount namespace. */
  private async inNetns(argv: string[], netns: string | null): Promise<RunResult> {
    if (netns === null || IPROUTE_TOOLS.has(argv[0])) return this.exec(() => withNetnsOption(argv, netns));
    const viaIp = ['ip', 'netns', 'exec', netns, ...argv];
    let tried = false;
    const result = await this.exec(() => {
      tried = this.nsenter;
      return tried ? ['nsenter', `--net=${NETNS_DIR}/${netns}`, '--', ...argv] : viaIp;
    });
    if (!tried || result.status !== 'missing-tool' || !NO_NSENTER.test(result.stderr)) return result;
    this.nsenter = false;
    return this.exec(() => viaIp);
  }

  async run(job: Job): Promise<CommandRecord> {
    const inner = fillArgv(job.entry, job.params);
    const files = job.entry.sysctlFiles;
    // The listing's files read in one short process, not sysctl walking every file of /proc/sys; the same lines.
    const argv = files ? ['sh', '-c', SYSCTL_FILES_READER, 'sh', ...files] : inner;
    return { ...recordBase(job, inner), ...(await this.inNetns(argv, job.netns)) };
  }

  /** Jobs of one namespace that share a batch, as one command; one by one when the output cannot be split. */
  private async runBatch(key: string, jobs: Job[], netns: string | null): Promise<CommandRecord[]> {
    if (jobs.length === 1) return [await this.run(jobs[0])];
    const argvs = jobs.map((job) => fillArgv(job.entry, job.params));
    if (this.remaining() <= 0) return jobs.map((job, i) => ({ ...recordBase(job, argvs[i]), ...OUT_OF_TIME }));
    const lines = argvs.map((argv) => batchSlot(argv)?.line ?? '');
    const parts = splitBatch(jobs.length, await this.exec(() => batchArgv(key, netns), `${lines.join('\n')}\n`));
    if (!parts) return mapWithLimit(jobs, 1, (job) => this.run(job));
    return jobs.map((job, i) => ({ ...recordBase(job, argvs[i]), ...parts[i] }));
  }

  /** The jobs of one namespace, iproute2 ones in batches; records in the order of the jobs. */
  async runAll(jobs: Job[]): Promise<CommandRecord[]> {
    const units = new Map<string, number[]>();
    jobs.forEach((job, i) => {
      const slot = batchSlot(fillArgv(job.entry, job.params));
      const key = slot ? slot.key : `#${i}`;
      units.set(key, [...(units.get(key) ?? []), i]);
    });
    const records = new Array<CommandRecord>(jobs.length);
    // All units start at once: the host's slots bound what runs.
    await Promise.all(
      [...units].map(async ([key, indexes]) => {
        const unit = indexes.map((i) => jobs[i]);
        const done = key.startsWith('#') ? [await this.run(unit[0])] : await this.runBatch(key, unit, unit[0].netns);
        done.forEach((record, j) => (records[indexes[j]] = record));
      }),
    );
    return records;
  }
}

/** What a record of the job says of the command, before its outcome. */
function recordBase(job: Job, argv: string[]): Pick<CommandRecord, 'id' | 'argv' | 'format' | 'params'> {
  return { id: job.entry.id, argv, format: job.entry.format, ...(job.params ? { params: job.params } : {}) };
}

const OUT_OF_TIME: RunResult = { stdout: '', stderr: 'not run: the time budget for this host was used up', exitCode: null, durationMs: 0, status: 'timeout' };

const IPROUTE_TOOLS = new Set(['ip', 'tc', 'bridge']);
/** Where `ip netns` pins named namespaces. */
const NETNS_DIR = '/run/netns';
/** nsenter itself missing, as a local process or behind a prefix reports it. */
const NO_NSENTER = /^nsenter: command not found|failed to execute nsenter:/m;

/** An iproute2 tool enters a named namespace itself (`-n`), which costs no process and no mount namespace. */
function withNetnsOption(argv: string[], netns: string | null): string[] {
  return netns === null ? argv : [argv[0], '-n', netns, ...argv.slice(1)];
}

function parseJsonArray(record: CommandRecord | undefined): unknown[] {
  if (!record || record.status !== 'ok') return [];
  try {
    const value: unknown = JSON.parse(record.stdout);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function namesFrom(record: CommandRecord | undefined, key: string): string[] {
  const names: string[] = [];
  for (const row of parseJsonArray(record)) {
    if (typeof row === 'object' && row !== null) {
      const value = (row as Record<string, unknown>)[key];
      if (typeof value === 'string') names.push(value);
    }
  }
  return names;
}

async function collectNamespace(session: HostSession, catalog: readonly CatalogEntry[], netns: string | null): Promise<NamespaceCapture> {
  const nsJobs = catalog.filter((e) => e.collect && e.scope === 'netns' && e.fallbackFor === undefined).map((entry): Job => ({ entry, netns }));
  const commands = await session.runAll(nsJobs);
  // Without ip, the /proc and /sys reads stand in, as in the collector script: they see only the runner's own namespace.
  if (netns === null && commands.some((c) => c.argv[0] === 'ip' && c.status === 'missing-tool')) {
    const fallbacks = catalog.filter((e) => e.collect && e.fallbackFor !== undefined).map((entry): Job => ({ entry, netns }));
    commands.push(...(await session.runAll(fallbacks)));
  }
  const devices = namesFrom(
    commands.find((c) => c.id === 'ip-link'),
    'ifname',
  );
  const deviceJobs: Job[] = [];
  for (const entry of catalog.filter((e) => e.collect && e.scope === 'device')) {
    const wanted = entry.select?.(commands) ?? (() => true);
    for (const dev of devices) {
      for (const variant of entry.variants ?? [{}]) {
        const params = { dev, ...variant };
        if (wanted(params)) deviceJobs.push({ entry, netns, params });
      }
    }
  }
  commands.push(...(await session.runAll(deviceJobs)));
  return { netns, commands };
}

/** Collects one host with the read-only catalog. Never throws: failures are recorded in the capture. */
export async function collectHost(runner: Runner, opts: CollectHostOptions = {}): Promise<HostCapture> {
  const catalog = opts.catalog ?? CATALOG;
  const now = opts.now ?? (() => new Date());
  const collectedAt = now().toISOString();
  const session = new HostSession(runner, opts);
  try {
    const hostJobs = catalog.filter((e) => e.collect && e.scope === 'host').map((entry): Job => ({ entry, netns: null }));
    const hostRecords = await session.runAll(hostJobs);
    const root = await collectNamespace(session, catalog, null);
    root.commands.unshift(...hostRecords);

    const hostnameRecord = hostRecords.find((c) => c.id === 'hostname' && c.status === 'ok');
    const name = opts.name ?? (hostnameRecord?.stdout.trim() || 'unknown');
    const include = opts.includeNetns ?? (() => true);
    const named = [
      ...new Set(
        namesFrom(
          hostRecords.find((c) => c.id === 'netns-list'),
          'name',
        ),
      ),
    ].filter((ns) => isSafeNetnsName(ns) && include(ns));
    // Namespaces are read side by side; the session's slots keep the host's load to `concurrency` commands.
    const namespaces: NamespaceCapture[] = [root, ...(await Promise.all(named.map((netns) => collectNamespace(session, catalog, netns))))];
    // Secrets some outputs carry (an IPsec PSK in OVS options) are masked before the capture leaves this function.
    return redactHost({ name, role: opts.role ?? 'unknown', collectedAt, ...hostStatus(catalog, namespaces), namespaces });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { name: opts.name ?? 'unknown', role: opts.role ?? 'unknown', collectedAt, status: 'failed', error: message, namespaces: [] };
  }
}

/** Collects many hosts, a few at a time. A failed host is recorded as failed and never sinks the bundle. */
export async function collectHosts(targets: readonly CollectTarget[], opts: CollectHostsOptions = {}): Promise<CaptureBundle> {
  const { hostConcurrency, source, cluster, ...hostOpts } = opts;
  const createdAt = (opts.now ?? (() => new Date()))().toISOString();
  const hosts = await mapWithLimit(targets, hostConcurrency ?? 4, (t) => collectHost(t.runner, { ...hostOpts, name: t.name, role: t.role }));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt,
    source: source ?? { kind: 'local' },
    hosts,
    ...(cluster ? { cluster } : {}),
  };
}
