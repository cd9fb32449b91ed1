/**
 * `npm run bench`: pipeline figures on a synthetic capture of 500 workers × 60 peer-pod namespaces, each worker
 * with the pod VM of its first pod (bench/synthetic.ts; BENCH_SKIP_PIPELINE=1 skips them), then one kernel host's collection side by side with the
 * batch floor (bench/collect.ts, needs root; BENCH_SKIP_COLLECT=1 skips it), then the command line's start-up
 * figures (bench/startup.ts; BENCH_SKIP_STARTUP=1 skips them), then the dashboard figures when a browser and a
 * build are present (BENCH_SKIP_UI=1 skips them), then the load figures (bench/load.ts; BENCH_SKIP_LOAD=1 skips
 * them), then the live-cluster figures (bench/cluster.ts; BENCH_SKIP_CLUSTER=1 skips them).
 * BENCH_HOSTS and BENCH_PODS change the size. A benchmark prints figures and does not judge them; a part that
 * cannot run fails the bench (non-zero exit) instead of being skipped.
 *
 * The capture is written to a bundle file first (writeBundleFile, outside the timed part). At this size the
 * bundle is longer than the longest string V8 can make (2^29 − 24 characters), so it is read as the CLI reads
 * it: a second thread (lib/capture/bundle/bundle-file-thread.ts) reads the file chunk by chunk, finds where each host
 * ends, JSON.parses, validates and redacts it — the steps an upload takes — and hands it over while this thread
 * runs parseHost on the host before. "read (2nd thread) + receive" is what this thread spends waiting for and
 * copying in hosts; the reader's own work shows in the CPU time.
 * Then the topology is built and diagnosed for the whole cluster at once, as lib/analyze.ts does.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleEnvelope } from '@/lib/capture/types';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import { openBundleFile, writeBundleFile } from '@/lib/capture/bundle/bundle-file';
import { hostReader } from '@/lib/capture/bundle/bundle-file-thread';
import { parseHost } from '@/lib/parse';
import type { HostState } from '@/lib/parse/types';
import { buildTopology } from '@/lib/topology/build';
import { diagnose } from '@/lib/diagnose';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { startupBench } from './startup';
import { syntheticHosts } from './synthetic';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 500);
const PODS = Number(process.env.BENCH_PODS ?? 60);
const GIB = 1024 ** 3;

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function ms(n: number): string {
  return `${n.toFixed(0)} ms`.padStart(9);
}

interface BundleFile {
  file: string;
  bytes: number;
}

function writeSynthetic(dir: string): BundleFile {
  const base = parseBundle(JSON.parse(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8')) as unknown);
  if (!base.ok) throw new Error(base.error);
  const envelope: BundleEnvelope = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: base.bundle.createdAt,
    source: { kind: 'synthetic', detail: `${HOSTS} workers × ${PODS} pods` },
  };
  const file = path.join(dir, 'bundle.json');
  const bytes = writeBundleFile(file, envelope, syntheticHosts(base.bundle, HOSTS, PODS, { podVms: true }));
  // On disk before the timing starts: the kernel writing half a gigabyte back while the pipeline runs is not a
  // cost of reading a capture that already exists.
  const fd = openSync(file, 'r');
  fsyncSync(fd);
  closeSync(fd);
  return { file, bytes };
}

/** Wall time per phase of this thread; CPU time (user + system, the reader and GC threads included) is taken once. */
class Phases {
  readonly ms = new Map<string, number>();

  run<T>(phase: string, fn: () => T): T {
    const start = performance.now();
    const value = fn();
    this.ms.set(phase, (this.ms.get(phase) ?? 0) + performance.now() - start);
    return value;
  }

  total(): number {
    return [...this.ms.values()].reduce((a, b) => a + b, 0);
  }
}

/**
 * What this thread spends getting each host: waiting for the reader thread (which reads, JSON.parses, validates
 * and redacts it while this thread parses the host before) and copying the host in (see the header).
 */
const RECEIVE = 'read (2nd thread) + receive';

interface PipelineResult {
  phases: Phases;
  cpuMs: number;
  hosts: number;
  nodes: number;
  edges: number;
  findings: Map<string, number>;
}

function pipeline(bundle: BundleFile): PipelineResult {
  const phases = new Phases();
  const cpu = process.cpuUsage();
  const states: HostState[] = [];
  const hosts = hostReader(bundle.file, bundle.bytes).hosts();
  for (;;) {
    const next = phases.run(RECEIVE, () => hosts.next());
    if (next.done) break;
    states.push(phases.run('parse', () => parseHost(next.value)));
  }
  const topology = phases.run('topology', () => buildTopology(states));
  const { findings } = phases.run('diagnose', () => diagnose(topology));
  const used = process.cpuUsage(cpu);
  const byRule = new Map<string, number>();
  for (const f of findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  return { phases, cpuMs: (used.user + used.system) / 1000, hosts: states.length, nodes: topology.nodes.length, edges: topology.edges.length, findings: byRule };
}

function jsonParseOnly(bundle: BundleFile): number {
  let total = 0;
  for (const { text } of openBundleFile(bundle.file).hostTexts()) {
    const start = performance.now();
    JSON.parse(text);
    total += performance.now() - start;
  }
  return total;
}

/** The phases from bundle bytes to the topology: what the target is set for. Diagnosis follows them. */
const TO_TOPOLOGY = [RECEIVE, 'parse', 'topology'];

function report(bundle: BundleFile, jsonMs: number, result: PipelineResult): void {
  const { phases, cpuMs, hosts, nodes, edges, findings } = result;
  const toTopology = TO_TOPOLOGY.reduce((sum, phase) => sum + (phases.ms.get(phase) ?? 0), 0);
  const total = phases.total();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const vms = hosts - HOSTS;
  console.log(`pipeline: synthetic capture of ${hosts} hosts (${HOSTS} workers × ${PODS} pod namespaces + ${vms} pod VMs)`);
  console.log(`  bundle size                 ${mib(bundle.bytes)} (a file, read host by host)`);
  console.log(`  JSON.parse alone            ${ms(jsonMs)}`);
  for (const [phase, n] of phases.ms) console.log(`    ${phase.padEnd(28)}${ms(n).trim().padStart(5)}`);
  console.log(`  bundle → topology           ${ms(toTopology)} (${(toTopology / jsonMs).toFixed(1)}× JSON.parse): ${TO_TOPOLOGY.join(' + ')}`);
  console.log(`  bundle → findings           ${ms(total)} (diagnosis included), ${ms(cpuMs).trim()} of CPU`);
  console.log(`  graph                       ${nodes} nodes, ${edges} edges`);
  console.log(`  findings                    ${[...findings].map(([rule, n]) => `${n} ${rule}`).join(', ') || 'none'}`);
  console.log(`  peak RSS                    ${mib(peakRss)} (the analysing process, diagnosis included)`);
  console.log(`  target                      bundle → topology < 10 s and < 2 GiB: ${toTopology < 10_000 && peakRss < 2 * GIB ? 'met' : 'NOT met'}`);
  console.log(`  machine                     ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)} at the end`);
  const heap = process.execArgv.filter((a) => a.includes('semi-space'));
  console.log(`  node                        ${process.version}, ${heap.length ? `${heap.join(' ')} (as bin/tunnelscope.mjs runs)` : 'default young generation'}`);
}

/**
 * The synthetic bundle is written, and JSON.parse timed, in this process; the pipeline runs in a fresh one, as
 * `tunnelscope diagnose FILE` does, so that neither the writer's garbage nor its heap shape is measured with it.
 */
function pipelineBench(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-bench-'));
  try {
    const bundle = writeSynthetic(dir);
    const jsonMs = jsonParseOnly(bundle);
    const env = { ...process.env, [PIPELINE_ENV]: JSON.stringify({ bundle, jsonMs }) };
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]], { env, stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`pipeline: the analysing process failed (${child.signal ?? `exit ${child.status}`})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Set in the process that analyses the bundle: { bundle, jsonMs }. */
const PIPELINE_ENV = 'TUNNELSCOPE_BENCH_PIPELINE';

async function main(): Promise<void> {
  const analyse = process.env[PIPELINE_ENV];
  if (analyse !== undefined) {
    const { bundle, jsonMs } = JSON.parse(analyse) as { bundle: BundleFile; jsonMs: number };
    report(bundle, jsonMs, pipeline(bundle));
    return;
  }
  if (process.env.BENCH_SKIP_PIPELINE === '1') console.log('pipeline: skipped (BENCH_SKIP_PIPELINE=1)');
  else pipelineBench();
  if (process.env.BENCH_SKIP_COLLECT === '1') {
    console.log('collect: skipped (BENCH_SKIP_COLLECT=1)');
  } else {
    const { collectBench } = await import('./collect');
    await collectBench();
  }
  if (process.env.BENCH_SKIP_STARTUP === '1') console.log('start-up: skipped (BENCH_SKIP_STARTUP=1)');
  else startupBench();
  if (process.env.BENCH_SKIP_UI === '1') {
    console.log('dashboard: skipped (BENCH_SKIP_UI=1)');
  } else {
    const { uiBench } = await import('./ui');
    await uiBench(HOSTS);
  }
  if (process.env.BENCH_SKIP_LOAD === '1') {
    console.log('load: skipped (BENCH_SKIP_LOAD=1)');
  } else {
    const { loadBench } = await import('./load');
    await loadBench();
  }
  if (process.env.BENCH_SKIP_CLUSTER === '1') {
    console.log('cluster: skipped (BENCH_SKIP_CLUSTER=1)');
    return;
  }
  const { clusterBench } = await import('./cluster');
  await clusterBench();
}

main().catch((error: unknown) => {
  console.error(`bench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
