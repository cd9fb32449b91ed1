/**
 * `npm run bench`: pipeline figures on a synthetic capture of 500 workers × 60 peer-pod namespaces, each worker
 * with the pod VM of its first pod (bench/synthetic.ts), then the dashboard figures when a browser and a build
 * are present (BENCH_SKIP_UI=1 skips them). BENCH_HOSTS and BENCH_PODS change the size. A benchmark prints
 * figures; it does not pass or fail.
 *
 * The capture is written to a bundle file first (writeBundleFile, outside the timed part). At this size the
 * bundle is longer than the longest string V8 can make (2^29 − 24 characters), so it is read as the CLI reads
 * it: lib/capture/bundle-file.ts reads the file chunk by chunk and hands out one host at a time, parsed ("read +
 * JSON.parse": the reader finds where a compactly written host ends by parsing it), and every host goes through
 * the steps an upload takes — validation (with redaction), parseHost.
 * Then the topology is built and diagnosed for the whole cluster at once, as lib/analyze.ts does.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleEnvelope } from '@/lib/capture/types';
import { parseBundle } from '@/lib/capture/bundle';
import { checkHost, openBundleFile, parseHostText, writeBundleFile } from '@/lib/capture/bundle-file';
import { parseHost } from '@/lib/parse';
import type { HostState } from '@/lib/parse/types';
import { buildTopology } from '@/lib/topology/build';
import { diagnose } from '@/lib/diagnose';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources';
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
  return { file, bytes };
}

/** Wall time per phase, and the process's CPU time (user + system, GC threads included) over all phases. */
class Phases {
  readonly ms = new Map<string, number>();
  cpuMs = 0;
  peakRss = 0;

  run<T>(phase: string, fn: () => T): T {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const value = fn();
    this.ms.set(phase, (this.ms.get(phase) ?? 0) + performance.now() - start);
    const used = process.cpuUsage(cpu);
    this.cpuMs += (used.user + used.system) / 1000;
    this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
    return value;
  }

  total(): number {
    return [...this.ms.values()].reduce((a, b) => a + b, 0);
  }
}

/** Reading a host and parsing its JSON text are one step for the reader (see the header). */
const READ = 'read + JSON.parse';

function pipeline(bundle: BundleFile): { phases: Phases; hosts: number; nodes: number; edges: number; findings: Map<string, number> } {
  const phases = new Phases();
  const states: HostState[] = [];
  const texts = openBundleFile(bundle.file).hostTexts();
  for (;;) {
    const next = phases.run(READ, () => texts.next());
    if (next.done) break;
    const value = phases.run(READ, () => parseHostText(next.value));
    const host = phases.run('validate', () => checkHost(value, next.value.index));
    states.push(phases.run('parse', () => parseHost(host)));
  }
  const topology = phases.run('topology', () => buildTopology(states));
  const { findings } = phases.run('diagnose', () => diagnose(topology));
  const byRule = new Map<string, number>();
  for (const f of findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  return { phases, hosts: states.length, nodes: topology.nodes.length, edges: topology.edges.length, findings: byRule };
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
const TO_TOPOLOGY = [READ, 'validate', 'parse', 'topology'];

function report(bundle: BundleFile, jsonMs: number, result: ReturnType<typeof pipeline>): void {
  const { phases, hosts, nodes, edges, findings } = result;
  const toTopology = TO_TOPOLOGY.reduce((sum, phase) => sum + (phases.ms.get(phase) ?? 0), 0);
  const total = phases.total();
  const peakRss = Math.max(phases.peakRss, process.resourceUsage().maxRSS * 1024);
  const vms = hosts - HOSTS;
  console.log(`pipeline: synthetic capture of ${hosts} hosts (${HOSTS} workers × ${PODS} pod namespaces + ${vms} pod VMs)`);
  console.log(`  bundle size                 ${mib(bundle.bytes)} (a file, read host by host)`);
  console.log(`  JSON.parse alone            ${ms(jsonMs)}`);
  for (const [phase, n] of phases.ms) console.log(`    ${phase.padEnd(24)}${ms(n)}`);
  console.log(`  bundle → topology           ${ms(toTopology)} (${(toTopology / jsonMs).toFixed(1)}× JSON.parse): ${TO_TOPOLOGY.join(' + ')}`);
  console.log(`  bundle → findings           ${ms(total)} (diagnosis included), ${ms(phases.cpuMs).trim()} of CPU`);
  console.log(`  graph                       ${nodes} nodes, ${edges} edges`);
  console.log(`  findings                    ${[...findings].map(([rule, n]) => `${n} ${rule}`).join(', ') || 'none'}`);
  console.log(`  peak RSS                    ${mib(peakRss)} (whole process, writing the bundle file and diagnosis included)`);
  console.log(`  target                      bundle → topology < 10 s and < 2 GiB: ${toTopology < 10_000 && peakRss < 2 * GIB ? 'met' : 'NOT met'}`);
  console.log(`  machine                     ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)} at the end`);
  const heap = process.execArgv.filter((a) => a.includes('semi-space'));
  console.log(`  node                        ${process.version}, ${heap.length ? `${heap.join(' ')} (as bin/tunnelscope.mjs runs)` : 'default young generation'}`);
}

function pipelineBench(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-bench-'));
  try {
    const bundle = writeSynthetic(dir);
    const jsonMs = jsonParseOnly(bundle);
    report(bundle, jsonMs, pipeline(bundle));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  pipelineBench();
  if (process.env.BENCH_SKIP_UI === '1') {
    console.log('dashboard: skipped (BENCH_SKIP_UI=1)');
    return;
  }
  try {
    const { uiBench } = await import('./ui');
    await uiBench();
  } catch (error) {
    console.log(`dashboard: skipped (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
}

void main();
