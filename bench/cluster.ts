/**
 * The live-cluster figures of `npm run bench` (BENCH_SKIP_CLUSTER=1 skips them): a simulated cluster on the test API
 * server (tests/cluster/test-apiserver.ts — TLS, bearer token, paged JSON lists, exec over WebSocket with the channel
 * protocol) whose nodes each answer the collector's exec with a synthetic worker's collector output (bench/synthetic.ts
 * replicas of the sample's worker, 60 pod namespaces by default), after a first-byte latency spread over 50–200 ms
 * and streamed in 64 KiB frames. The real @kubernetes/client-node and the real kube source (captureFromSource, agent
 * mode, default concurrency and timeouts) collect it.
 *
 * Three processes per size, so that each figure belongs to one: the API server (a child: its CPU and memory are not
 * the collector's), the collection (a fresh process: wall time and peak RSS), and the baseline (a fresh process: the
 * same bytes read by the same reader, hostFromScript, without the network). Sizes: a quarter, half and all of
 * BENCH_CLUSTER_NODES (default 500), to show how the time grows; BENCH_CLUSTER_PODS sets the pods per node.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import type { CaptureBundle } from '@/lib/capture/types';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { collectorOutput } from '@/tests/cluster/collector-text';
import { TestApiServer, type ExecWrite, type TestObject } from '@/tests/cluster/test-apiserver';
import { syntheticHosts } from './synthetic';

const NODES = Number(process.env.BENCH_CLUSTER_NODES ?? 500);
const PODS = Number(process.env.BENCH_CLUSTER_PODS ?? 60);
const GIB = 1024 ** 3;
const FRAME_BYTES = 64 * 1024;
const TOKEN = 'bench-token';
const AGENT_NAMESPACE = 'tunnelscope-agent';
/** Which part this process plays: unset in `npm run bench` itself. */
const ROLE_ENV = 'TUNNELSCOPE_BENCH_CLUSTER';

type Role = { role: 'server'; nodes: number; dir: string } | { role: 'collect'; kubeconfig: string } | { role: 'baseline'; nodes: number };

interface ServerStats {
  execs: number;
  bytes: number;
}

interface CollectResult {
  /** Loading the source's modules, the client library among them. */
  loadMs: number;
  /** Discovery and every host's exec, once loaded. */
  wallMs: number;
  /** CPU time of this process over wallMs (user and system): what a busy machine's share of the cores does not change. */
  cpuMs: number;
  peakRss: number;
  hosts: number;
  complete: number;
  namespaces: number;
  pods: number;
}

interface BaselineResult {
  parseMs: number;
  bytes: number;
}

function sampleBundle(): CaptureBundle {
  const base = parseBundle(JSON.parse(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8')) as unknown);
  if (!base.ok) throw new Error(base.error);
  return base.bundle;
}

/** The n workers' outputs, one at a time, the same bytes in every process that asks. */
function* workerOutputs(n: number): Generator<{ name: string; text: string }> {
  let i = 0;
  for (const host of syntheticHosts(sampleBundle(), n, PODS)) {
    i++;
    yield { name: host.name, text: collectorOutput(host, `b${i.toString(16).padStart(11, '0')}`) };
  }
}

/** 50–200 ms before the first byte, spread over the nodes. */
function firstByteMs(index: number): number {
  return 50 + ((index * 37) % 151);
}

function clusterNode(name: string, index: number): TestObject {
  const third = Math.floor(index / 250);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { podCIDR: `10.${128 + third}.${index % 250}.0/24` },
    status: {
      addresses: [{ type: 'InternalIP', address: `172.16.${third}.${(index % 250) + 1}` }],
      nodeInfo: { osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-bench', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}

function clusterPod(namespace: string, name: string, node: string, spec: Record<string, unknown>, labels: Record<string, string>, ip: string): TestObject {
  return {
    metadata: { namespace, name, labels },
    spec: { nodeName: node, containers: [{ name: 'main', image: 'busybox' }], ...spec },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

/** Sends to the parent; resolves once the message is on its way. */
function tell(message: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
}

/** The API server's process: builds the cluster, answers until its parent disconnects. */
async function serve(nodes: number, dir: string): Promise<void> {
  const outputs = new Map<string, { text: Buffer; index: number }>();
  const stats: ServerStats = { execs: 0, bytes: 0 };
  const server = new TestApiServer({
    tokens: { [TOKEN]: { user: 'bench' } },
    execPrefix: (pod) => (pod.spec?.nodeName ? [] : null),
    execBehaviour: (pod) => {
      const { text, index } = outputs.get(String(pod.spec?.nodeName ?? '')) ?? { text: Buffer.alloc(0), index: 0 };
      return {
        kind: 'reply',
        reply: async (write: ExecWrite) => {
          stats.execs++;
          await new Promise((resolve) => setTimeout(resolve, firstByteMs(index)));
          for (let at = 0; at < text.length; at += FRAME_BYTES) {
            const frame = text.subarray(at, at + FRAME_BYTES);
            if (!(await write(frame))) return 137;
            stats.bytes += frame.length;
          }
          return 0;
        },
      };
    },
  });
  await server.start();
  let index = 0;
  for (const { name, text } of workerOutputs(nodes)) {
    outputs.set(name, { text: Buffer.from(text), index });
    server.nodes.push(clusterNode(name, index));
    const agent = clusterPod(
      AGENT_NAMESPACE,
      `tunnelscope-agent-${index.toString(36)}`,
      name,
      { hostNetwork: true, hostPID: true },
      { 'app.kubernetes.io/name': 'tunnelscope-agent' },
      `172.16.${Math.floor(index / 250)}.${(index % 250) + 1}`,
    );
    server.addPod(agent);
    for (let j = 0; j < PODS; j++) server.addPod(clusterPod(`team-${j % 12}`, `app-${index}-${j}`, name, {}, { app: `app-${j}` }, `10.${128 + Math.floor(index / 250)}.${index % 250}.${j + 2}`));
    index++;
  }
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig({ context: 'bench', cluster: `bench-${nodes}`, token: TOKEN }));
  process.on('message', (message) => {
    if (message === 'stats') process.send?.({ stats });
  });
  process.on('disconnect', () => void server.stop().then(() => process.exit(0)));
  process.send?.({ kubeconfig });
}

async function collect(kubeconfig: string): Promise<void> {
  const start = performance.now();
  const { captureFromSource } = await import('@/lib/sources');
  // What the source loads on its first use (the client library), timed apart from the collection itself.
  await import('@/lib/kube/source');
  const loaded = performance.now();
  const cpu = process.cpuUsage();
  const bundle = await captureFromSource('kube', { kube: { kubeconfig } });
  const used = process.cpuUsage(cpu);
  const result: CollectResult = {
    loadMs: loaded - start,
    wallMs: performance.now() - loaded,
    cpuMs: (used.user + used.system) / 1000,
    peakRss: process.resourceUsage().maxRSS * 1024,
    hosts: bundle.hosts.length,
    complete: bundle.hosts.filter((h) => h.status === 'complete').length,
    namespaces: bundle.hosts.reduce((n, h) => n + h.namespaces.length, 0),
    pods: bundle.cluster?.pods.length ?? 0,
  };
  await tell({ result });
}

/** The same bytes in the same frames through the same reader as the kube source (hostFromScript), without the network. */
async function baseline(nodes: number): Promise<void> {
  const [{ hostFromScript }, { CollectorOutputReader }] = await Promise.all([import('@/lib/capture/collect/script-host'), import('@/lib/capture/collect/collector-output')]);
  const result: BaselineResult = { parseMs: 0, bytes: 0 };
  for (const { name, text } of workerOutputs(nodes)) {
    const bytes = Buffer.from(text);
    const start = performance.now();
    const reader = new CollectorOutputReader();
    const decoder = new StringDecoder('utf8');
    for (let at = 0; at < bytes.length; at += FRAME_BYTES) reader.write(decoder.write(bytes.subarray(at, at + FRAME_BYTES)));
    reader.write(decoder.end());
    hostFromScript(reader, { stderr: '', outcome: 'ok', reason: '' }, { name, role: 'worker' });
    result.parseMs += performance.now() - start;
    result.bytes += bytes.length;
  }
  await tell({ result });
}

/** Resolves with the first message of the process that has `key`; rejects when it ends before. */
function answerOf<T>(proc: ChildProcess, key: string, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (typeof message !== 'object' || message === null || !(key in message)) return;
      proc.off('message', onMessage);
      proc.off('exit', onExit);
      resolve((message as Record<string, T>)[key]);
    };
    const onExit = (code: number | null, signal: string | null) => reject(new Error(`cluster: the ${what} process ended (${signal ?? `exit ${code}`}) before answering`));
    proc.on('message', onMessage);
    proc.once('exit', onExit);
  });
}

/** A fresh process of this file in a role; BENCH_CLUSTER_PROFILE=DIR writes the collecting process's CPU profile there. */
function child(role: Role): ChildProcess {
  const profile = role.role === 'collect' && process.env.BENCH_CLUSTER_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CLUSTER_PROFILE}`] : [];
  return fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [ROLE_ENV]: JSON.stringify(role) },
    execArgv: [...process.execArgv, ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

interface SizeResult {
  nodes: number;
  collect: CollectResult;
  baseline: BaselineResult;
  server: ServerStats;
  /** The machine's 1-minute load average once the collection ended: the figures of a shared machine move with it. */
  load: number;
}

async function measure(nodes: number, dir: string): Promise<SizeResult> {
  const server = child({ role: 'server', nodes, dir });
  try {
    const kubeconfig = await answerOf<string>(server, 'kubeconfig', 'API server');
    const collect = await answerOf<CollectResult>(child({ role: 'collect', kubeconfig }), 'result', 'collecting');
    const load = loadavg()[0];
    const stats = answerOf<ServerStats>(server, 'stats', 'API server');
    server.send('stats');
    const served = await stats;
    const base = await answerOf<BaselineResult>(child({ role: 'baseline', nodes }), 'result', 'baseline');
    if (base.bytes !== served.bytes) throw new Error(`cluster: the baseline read ${base.bytes} bytes, the API server sent ${served.bytes}`);
    return { nodes, collect, baseline: base, server: served, load };
  } finally {
    if (server.connected) server.disconnect();
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export async function clusterBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-bench-cluster-'));
  try {
    const sizes = [...new Set([Math.round(NODES / 4), Math.round(NODES / 2), NODES])].filter((n) => n > 0);
    const results: SizeResult[] = [];
    for (const n of sizes) results.push(await measure(n, dir));
    console.log(`cluster: kube source (agent mode, concurrency 20) against a simulated cluster of workers × ${PODS} pod namespaces, first byte after 50–200 ms, 64 KiB frames`);
    for (const r of results) {
      const { collect: c, baseline: b, server: s } = r;
      console.log(
        `  ${String(r.nodes).padStart(4)} nodes  ${seconds(c.wallMs).padStart(7)} (${(c.wallMs / r.nodes).toFixed(0)} ms/node; loading the modules before: ${seconds(c.loadMs)}), CPU ${seconds(c.cpuMs)} (${(c.cpuMs / r.nodes).toFixed(0)} ms/node), peak RSS ${mib(c.peakRss)}, ${mib(s.bytes / Math.max(1, s.execs))}/node over ${s.execs} execs, ` +
          `${c.complete}/${c.hosts} hosts complete, ${c.namespaces} namespaces, ${c.pods} pods discovered; same bytes read without the network ${seconds(b.parseMs)} (${(c.wallMs / b.parseMs).toFixed(1)}×); load average ${r.load.toFixed(1)}`,
      );
    }
    const first = results[0];
    const last = results.at(-1) ?? first;
    const growth = last.collect.wallMs / last.nodes / (first.collect.wallMs / first.nodes);
    console.log(`  per-node time at ${last.nodes} vs ${first.nodes} nodes: ${growth.toFixed(2)}× (1.00 = linear)`);
    if (last.nodes > first.nodes) {
      // The cost of one more node, without what every run pays once (discovery, the first connections).
      const slope = (key: 'wallMs' | 'cpuMs') => (last.collect[key] - first.collect[key]) / (last.nodes - first.nodes);
      console.log(`  each node beyond ${first.nodes}: ${slope('wallMs').toFixed(0)} ms of wall time, ${slope('cpuMs').toFixed(0)} ms of the collecting process's CPU`);
    }
    const met = last.nodes >= 500 && last.collect.wallMs < 30_000 && last.collect.peakRss < 1.5 * GIB;
    console.log(`  target                      500 nodes < 30 s and < 1.5 GiB: ${last.nodes < 500 ? `not measured (${last.nodes} nodes)` : met ? 'met' : 'NOT met'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function play(role: Role): Promise<void> {
  if (role.role === 'server') return serve(role.nodes, role.dir);
  if (role.role === 'collect') return collect(role.kubeconfig);
  return baseline(role.nodes);
}

const asRole = process.env[ROLE_ENV];
if (asRole !== undefined) {
  play(JSON.parse(asRole) as Role)
    .then(() => {
      // The server answers until its parent lets go; the others are done once they have answered (the client
      // library's kept-alive sockets would hold the process open).
      if ((JSON.parse(asRole) as Role).role !== 'server') process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(`cluster bench (${asRole}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    });
}
