/** The `tunnelscope` command line. Every error is one clear line and a non-zero exit. */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs, stringOption, UsageError, type ParsedArgs } from './args';
import { formatFindings, formatTopology, formatTrace } from './format';
import type { Finding } from '@/lib/diagnose/types';
import { importFiles, MAX_IMPORT_FILE_CHARS, type ImportedBundle, type ImportedFile } from '@/lib/capture/import';
import { serializeBundle } from '@/lib/capture/bundle/bundle';
import { BundleFileError, sniffBundleFile, writeBundleFile, type HostReader } from '@/lib/capture/bundle/bundle-file';
import { hostReader } from '@/lib/capture/bundle/bundle-file-thread';
import type { CaptureBundle } from '@/lib/capture/types';
import { analyze, analyzeHosts, type Analysis } from '@/lib/analyze';
import { findingForTrace, traceRoute } from '@/lib/diagnose/trace';
import { counterFindings } from '@/lib/diff/counters';
import { diffBy, findingKey } from '@/lib/diff/diff';
import { UNCOVERED_FAULTS } from '@/lib/diagnose';
import { captureFromSource, PROJECT_HOME, SOURCE_KINDS, type KubeSourceOptions, type SourceKind, type SourceOptions } from '@/lib/sources';
import { KUBE_MODES, type HostProgress, type KubeMode } from '@/lib/kube/modes';
import { getStore, closeStore } from '@/lib/store';
import { labPrerequisites, labUp } from '@/lib/lab';
import { AuthConfigError, authConfigFromEnv } from '@/lib/auth/config';
import { runLabCli } from '@/lib/lab/cli';
import { cliTimeBudgetMs, startWatchdog } from './watchdog';

const HELP = `tunnelscope — device-level network topology and fault finder for Kubernetes nodes and peer-pod VMs

Usage:
  tunnelscope collect --source local|lab -o FILE      capture hosts into a bundle
  tunnelscope collect --source kube [--kubeconfig F] [--context C] [--mode agent|debug|cni-pod]
                      [--nodes a,b | --selector k=v] [--pod-vms] [--runtime-class NAME]
                      [--concurrency N] [--host-timeout SEC] [--debug-image IMAGE] -o FILE
                                                      capture a live cluster's nodes (and peer-pod VMs)
  tunnelscope import FILE... -o FILE                  transcripts, collector outputs or bundles → one bundle
  tunnelscope topology FILE [--json]                  print the device graph
  tunnelscope diagnose FILE [--json]                  print findings with evidence and fixes
  tunnelscope trace FILE --from ELEMENT|HOST --to IP [--json]
                                                      walk the path hop by hop, name the first broken hop
  tunnelscope diff BEFORE AFTER [--json]              two captures of the same hosts: findings resolved and new,
                                                      and what the counters say happened in between
  tunnelscope snapshot --source lab|local|kube [kube options as for collect] [--title T] [--server URL]
  tunnelscope snapshot FILE [--title T] [--server URL]
                                                      store a snapshot and print its incident link
  tunnelscope serve [--port N] [--host ADDRESS]       start the built dashboard (on 127.0.0.1 unless --host;
                                                      other addresses need TUNNELSCOPE_AUTH, see README)
  tunnelscope demo [--port N]                         lab (or the bundled sample) → snapshot → dashboard
  tunnelscope lab up [--scenario NAME] | down | status [--json] | list | break FAULT | heal FAULT

FILE may be a capture bundle (.json), the output of public/tunnelscope-collect.sh, or a pasted terminal
transcript. Use - for standard input. Bundle files of any size are read host by host.`;

type Out = (text: string) => void;

interface Io {
  out: Out;
  err: Out;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** A whole file as one string: up to `maxBytes`, since bigger ones are refused by import anyway or cannot be made a string. */
async function readInput(file: string, maxBytes?: number): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  if (!existsSync(file)) throw new UsageError(`file not found: ${file}`);
  const { size } = await stat(file);
  if (maxBytes !== undefined && size > maxBytes) {
    throw new UsageError(`${file} is ${mib(size)}, more than the ${mib(maxBytes)} this command reads; topology, diagnose, trace and import read bundles of any size`);
  }
  return readFile(file, 'utf8');
}

function mib(bytes: number): string {
  return `${Math.ceil(bytes / 1024 / 1024)} MiB`;
}

/** A file named on the command line (not standard input) that holds a capture bundle: read host by host. */
function isBundleFile(file: string): boolean {
  return file !== '-' && existsSync(file) && sniffBundleFile(file);
}

/** Runs a pass over a bundle file (a big one read on a second thread); its errors become one line naming the file. */
function fromBundleFile<T>(file: string, read: (bundle: HostReader) => T): T {
  try {
    return read(hostReader(file, statSync(file).size));
  } catch (error) {
    if (error instanceof BundleFileError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

async function readFileInput(file: string, stream: boolean): Promise<ImportedFile | ImportedBundle> {
  if (stream && isBundleFile(file)) return { name: file, bundle: fromBundleFile(file, (b) => b.readAll()) };
  return { name: file, content: await readInput(file, stream ? undefined : MAX_IMPORT_FILE_CHARS) };
}

/** The inputs as one bundle; with `stream`, bundle files are read host by host, so they may be of any size. */
async function loadBundle(files: string[], io: Io, stream = true): Promise<CaptureBundle> {
  if (!files.length) throw new UsageError('give at least one input FILE');
  const inputs = await Promise.all(files.map((name) => readFileInput(name, stream)));
  const { bundle, problems } = importFiles(inputs);
  for (const p of problems.slice(0, 20)) io.err(`warning: ${formatProblem(p)}`);
  if (problems.length > 20) io.err(`warning: … and ${problems.length - 20} more input problems`);
  if (!bundle.hosts.length) throw new UsageError('no host data found in the input');
  return bundle;
}

/** One bundle file is analysed as it is read, a host at a time; anything else is imported first. */
async function loadAnalysis(files: string[], io: Io): Promise<Analysis> {
  if (files.length !== 1 || !isBundleFile(files[0])) return analyze(await loadBundle(files, io));
  return fromBundleFile(files[0], (bundle) => {
    let hosts = 0;
    const counted = (function* () {
      for (const host of bundle.hosts()) {
        hosts++;
        yield host;
      }
    })();
    const analysis = analyzeHosts(counted, bundle.cluster);
    if (!hosts) throw new UsageError('no host data found in the input');
    return analysis;
  });
}

function formatProblem(problem: unknown): string {
  if (typeof problem === 'string') return problem;
  if (problem && typeof problem === 'object') {
    const p = problem as Record<string, unknown>;
    const where = [p.file, p.line !== undefined ? `line ${String(p.line)}` : undefined].filter(Boolean).join(':');
    return `${where ? `${where}: ` : ''}${String(p.message ?? JSON.stringify(problem))}`;
  }
  return String(problem);
}

function sourceKind(value: string | undefined): SourceKind {
  if (!value) throw new UsageError(`--source is required (${SOURCE_KINDS.join('|')})`);
  if (!(SOURCE_KINDS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown source "${value}" (expected ${SOURCE_KINDS.join('|')})`);
  }
  return value as SourceKind;
}

async function writeOutput(file: string | undefined, text: string, io: Io): Promise<void> {
  if (!file || file === '-') io.out(text);
  else await writeFile(file, text);
}

function positiveInteger(args: ParsedArgs, name: string): number | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,5}$/.test(value)) throw new UsageError(`--${name} needs a positive whole number, not "${value}"`);
  return Number(value);
}

/** A line per host as it finishes: `[3/12] node-a partial: no answer within 300 s`. */
function progressPrinter(io: Io): (p: HostProgress) => void {
  return (p) => {
    if (p.state !== 'running') io.err(`[${p.finished}/${p.total}] ${p.host} ${p.state}${p.reason ? `: ${p.reason}` : ''}`);
  };
}

/** The kube source's choices from the command line; Ctrl-C cancels the work on the nodes (debug pods are removed). */
function kubeOptions(args: ParsedArgs, io: Io): KubeSourceOptions {
  const mode = stringOption(args, 'mode') ?? 'agent';
  if (!(KUBE_MODES as readonly string[]).includes(mode)) throw new UsageError(`unknown mode "${mode}" (expected ${KUBE_MODES.join('|')})`);
  const nodes = stringOption(args, 'nodes');
  const selector = stringOption(args, 'selector');
  if (nodes && selector) throw new UsageError('give --nodes or --selector, not both');
  const hostTimeout = positiveInteger(args, 'host-timeout');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return {
    kubeconfig: stringOption(args, 'kubeconfig'),
    context: stringOption(args, 'context'),
    mode: mode as KubeMode,
    ...(nodes ? { nodes: nodes.split(',').filter(Boolean) } : {}),
    ...(selector ? { selector } : {}),
    podVms: args.options['pod-vms'] === true,
    peerPodRuntimeClass: stringOption(args, 'runtime-class'),
    debugImage: stringOption(args, 'debug-image'),
    concurrency: positiveInteger(args, 'concurrency'),
    ...(hostTimeout ? { hostTimeoutMs: hostTimeout * 1000 } : {}),
    signal: controller.signal,
    onProgress: progressPrinter(io),
  };
}

function sourceOptions(kind: SourceKind, args: ParsedArgs, io: Io): SourceOptions {
  return kind === 'kube' ? { kube: kubeOptions(args, io) } : {};
}

async function cmdCollect(args: ParsedArgs, io: Io): Promise<number> {
  const kind = sourceKind(stringOption(args, 'source'));
  const bundle = await captureFromSource(kind, sourceOptions(kind, args, io));
  await writeOutput(stringOption(args, 'o', 'output'), serializeBundle(bundle), io);
  const partial = bundle.hosts.filter((h) => h.status !== 'complete');
  io.err(`collected ${bundle.hosts.length} host(s)${partial.length ? `, partial: ${partial.map((h) => h.name).join(', ')}` : ''}`);
  return 0;
}

async function cmdImport(args: ParsedArgs, io: Io): Promise<number> {
  const { hosts, ...envelope } = await loadBundle(args.positionals, io);
  const output = stringOption(args, 'o', 'output');
  if (output && output !== '-') writeBundleFile(output, envelope, hosts);
  else io.out(printable(() => serializeBundle({ ...envelope, hosts })));
  return 0;
}

/** Text for standard output, or one line saying to write a file when the bundle is longer than a string can be. */
function printable(text: () => string): string {
  try {
    return text();
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError('the bundle is too big to print; write it to a file with -o FILE');
    throw error;
  }
}

async function cmdTopology(args: ParsedArgs, io: Io): Promise<number> {
  const { topology } = await loadAnalysis(args.positionals, io);
  io.out(args.options.json ? JSON.stringify({ nodes: topology.nodes, edges: topology.edges }, null, 2) : formatTopology(topology));
  return 0;
}

async function cmdDiagnose(args: ParsedArgs, io: Io): Promise<number> {
  const { findings, rulesVersion } = await loadAnalysis(args.positionals, io);
  if (args.options.json) {
    io.out(JSON.stringify({ rulesVersion, findings, uncovered: UNCOVERED_FAULTS }, null, 2));
  } else {
    io.out(formatFindings(findings));
    io.out(`\nNot checked (${UNCOVERED_FAULTS.length} catalog faults need data a capture does not hold): tunnelscope diagnose --json lists them.`);
  }
  return 0;
}

async function cmdTrace(args: ParsedArgs, io: Io): Promise<number> {
  const from = stringOption(args, 'from');
  const to = stringOption(args, 'to');
  if (!from || !to) throw new UsageError('trace needs --from ELEMENT|HOST and --to IP');
  const { topology, findings } = await loadAnalysis(args.positionals, io);
  const result = traceRoute(topology, from, to);
  const finding = findingForTrace(result, findings);
  io.out(args.options.json ? JSON.stringify({ ...result, finding }, null, 2) : formatTrace(result, finding));
  return 0;
}

/** Two captures, in the order they were taken when both say when; the counters are read from the earlier one. */
async function cmdDiff(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positionals.length !== 2) throw new UsageError('diff needs two input files: BEFORE AFTER');
  const loaded = [];
  for (const file of args.positionals) {
    const bundle = await loadBundle([file], io);
    loaded.push({ file, time: Date.parse(bundle.createdAt), analysis: analyze(bundle) });
  }
  const [earlier, later] = loaded[1].time < loaded[0].time ? [loaded[1], loaded[0]] : loaded;
  const seconds = Number.isNaN(earlier.time) || Number.isNaN(later.time) ? undefined : (later.time - earlier.time) / 1000;
  const between = counterFindings(earlier.analysis.topology, later.analysis.topology, seconds);
  const findings = diffBy(earlier.analysis.findings, later.analysis.findings, findingKey);
  if (args.options.json) {
    io.out(JSON.stringify({ before: earlier.file, after: later.file, seconds, between, resolved: findings.removed, new: findings.added }, null, 2));
    return 0;
  }
  const list = (items: Finding[]): string => (items.length ? items.map((f) => `  [${f.rule}] ${f.title}`).join('\n') : '  none');
  io.out(`${earlier.file} → ${later.file}${seconds === undefined ? '' : ` (${Math.round(seconds)} s apart)`}`);
  io.out(`\nResolved findings:\n${list(findings.removed)}\nNew findings:\n${list(findings.added)}`);
  io.out(`\nBetween the captures:\n${between.length ? formatFindings(between) : '  No tunnel went one way and no error counter grew.'}`);
  return 0;
}

function publicUrl(): string {
  return (process.env.TUNNELSCOPE_PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
}

async function createSnapshot(bundle: CaptureBundle, title: string | undefined, server: string | undefined): Promise<string> {
  if (server) {
    const response = await fetch(`${server.replace(/\/$/, '')}/api/snapshots`, {
      method: 'POST',
      // A server with access control wants a collector's token (TUNNELSCOPE_TOKEN); it never goes in a log line.
      headers: { 'content-type': 'application/json', ...(process.env.TUNNELSCOPE_TOKEN ? { authorization: `Bearer ${process.env.TUNNELSCOPE_TOKEN}` } : {}) },
      body: JSON.stringify({ bundle, title }),
    });
    // POST /api/snapshots answers 201 with { snapshot: meta, url: "/s/<id>" }, or an { error } body.
    const body = (await response.json().catch(() => ({}))) as { snapshot?: { id?: unknown }; error?: { message?: string } };
    const id = body.snapshot?.id;
    if (!response.ok || typeof id !== 'string') {
      throw new UsageError(`the server refused the snapshot (HTTP ${response.status}): ${body.error?.message ?? 'no details'}`);
    }
    return `${server.replace(/\/$/, '')}/s/${id}`;
  }
  try {
    const meta = await getStore().create({ bundle, title });
    return `${publicUrl()}/s/${meta.id}`;
  } finally {
    await closeStore();
  }
}

async function cmdSnapshot(args: ParsedArgs, io: Io): Promise<number> {
  const source = stringOption(args, 'source');
  // A snapshot is stored and sent as one document, so its input is read as one string, within import's limit.
  const kind = source ? sourceKind(source) : undefined;
  const bundle = kind ? await captureFromSource(kind, sourceOptions(kind, args, io)) : await loadBundle(args.positionals, io, false);
  io.out(await createSnapshot(bundle, stringOption(args, 'title'), stringOption(args, 'server')));
  return 0;
}

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

async function cmdServe(args: ParsedArgs, io: Io): Promise<number> {
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
  io.err(`dashboard on http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? 'localhost' : host}:${port}`);
  return runNext(['start', '-p', port, '-H', host]);
}

async function cmdDemo(args: ParsedArgs, io: Io): Promise<number> {
  const prereq = await labPrerequisites();
  let kind: SourceKind = 'sample';
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

async function cmdLab(args: string[], io: Io): Promise<number> {
  return runLabCli(args, io.out);
}

const BOOLEANS = ['json', 'help', 'h', 'pod-vms'] as const;

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      io.out(HELP);
      return command ? 0 : 1;
    }
    if (command === 'lab') return await cmdLab(rest, io);
    const args = parseArgs(rest, BOOLEANS);
    if (args.options.help || args.options.h) {
      io.out(HELP);
      return 0;
    }
    if (BUDGETED.has(command)) {
      const budget = cliTimeBudgetMs();
      const stop = startWatchdog(
        budget,
        `tunnelscope: error: ${command} took longer than ${budget / 1000} s (the budget, TUNNELSCOPE_ANALYSIS_TIMEOUT_MS) and was stopped; check the input for damage, or raise the budget for a very large capture`,
      );
      try {
        return await runCommand(command, args, io);
      } finally {
        stop();
      }
    }
    return await runCommand(command, args, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`tunnelscope: error: ${message.split('\n')[0].slice(0, 400)}`);
    return 2;
  }
}

/** Commands that analyse what they are given: a time budget ends one that would never finish (cli/watchdog.ts). */
const BUDGETED: ReadonlySet<string> = new Set(['import', 'topology', 'diagnose', 'trace', 'diff']);

async function runCommand(command: string, args: ParsedArgs, io: Io): Promise<number> {
  switch (command) {
    case 'collect':
      return await cmdCollect(args, io);
    case 'import':
      return await cmdImport(args, io);
    case 'topology':
      return await cmdTopology(args, io);
    case 'diagnose':
      return await cmdDiagnose(args, io);
    case 'trace':
      return await cmdTrace(args, io);
    case 'diff':
      return await cmdDiff(args, io);
    case 'snapshot':
      return await cmdSnapshot(args, io);
    case 'serve':
      return await cmdServe(args, io);
    case 'demo':
      return await cmdDemo(args, io);
    default:
      throw new UsageError(`unknown command "${command}" (see tunnelscope --help)`);
  }
}
