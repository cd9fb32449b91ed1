/**
 * Collection on one kernel host (needs root): a host of BENCH_COLLECT_PODS pod namespaces (default 60, a veth
 * each) built with the lab's host helpers, read three ways side by side and torn down after:
 * - the floor: per namespace one `ip -n NS -j -d -s -batch FILE` reading links, addresses, routes and neighbours,
 *   and one `tc -n NS -j qdisc show`, the namespaces one after the other in one shell on the host;
 * - the collector script (public/tunnelscope-collect.sh) run on the host from its file, as a user runs it;
 * - the path of `collect --source local` and of the lab (collectWithScript): the same script, sent on standard
 *   input through a LocalRunner that enters the host first (`nsenter`, as the lab's runner does; on a real host
 *   `collect --source local` runs it without that prefix), its output read as it streams, as every kube mode does.
 * - the path of `collect --source kube` (agent mode): the same script run by one exec into a pod on the host over the
 *   real @kubernetes/client-node, against the test API server (tests/cluster/test-apiserver.ts: TLS, bearer token,
 *   WebSocket channel protocol) in this process, which runs the exec on the host; its output read as it streams.
 * - with BENCH_COLLECT_BASELINE=FILE, another version of the script (an older one, say) run the same way, so that a
 *   change is measured against it in the same conditions.
 * Each figure is the median of BENCH_COLLECT_RUNS runs (default 3), the cases taking turns.
 * Alone: `npx tsx bench/collect.ts` (as root, under `flock /tmp/tunnelscope-kernel.lock`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import { collectWithScript } from '@/lib/capture/collect/script-host';
import { parseCollectorOutput } from '@/lib/capture/collect/collector-output';
import { exec } from '@/lib/lab/exec';
import { listHostNamespaces } from '@/lib/lab/host';
import type { HostCapture } from '@/lib/capture/types';
import type { LabHost } from '@/lib/lab/types';
import { KubeConfig } from '@kubernetes/client-node';
import { collectThroughPod } from '@/lib/kube/collect-host';
import { agentPodObject, nodeObject, TestApiServer } from '@/tests/cluster/test-apiserver';
import { buildHosts } from '../tests/cluster/hosts';

const PODS = Number(process.env.BENCH_COLLECT_PODS ?? 60);
const RUNS = Number(process.env.BENCH_COLLECT_RUNS ?? 3);
const SCRIPT = path.resolve('public', 'tunnelscope-collect.sh');
const BASELINE = process.env.BENCH_COLLECT_BASELINE;
const FLOOR_BATCH = 'link show\naddr show\nroute show table all\nneigh show\n';

async function must(argv: string[]): Promise<string> {
  const result = await exec(argv, { timeoutMs: 600_000 });
  if (result.exitCode !== 0) throw new Error(`collect bench: \`${argv.join(' ')}\` exited ${result.exitCode}: ${result.stderr.trim().slice(0, 400)}`);
  return result.stdout;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** The floor's loop, in one shell on the host as the collector script runs: $1 the batch file, then the namespaces. */
const FLOOR_LOOP = `f=$1; shift
ip -j -d -s -batch "$f" && tc -j qdisc show || exit 1
for ns in "$@"; do ip -n "$ns" -j -d -s -batch "$f" && tc -n "$ns" -j qdisc show || exit 1; done`;

async function floor(host: LabHost, batchFile: string, namespaces: readonly string[]): Promise<void> {
  await must([...host.enter, 'sh', '-c', FLOOR_LOOP, 'sh', batchFile, ...namespaces]);
}

async function script(host: LabHost, namespaces: number, file = SCRIPT): Promise<void> {
  const text = await must([...host.enter, 'sh', file]);
  const imported = parseCollectorOutput(text);
  const captured = imported.hosts[0]?.namespaces.length ?? 0;
  if (captured !== namespaces + 1) throw new Error(`collect bench: the collector script's output holds ${captured} namespaces, ${namespaces + 1} expected`);
}

/** A runner's capture of the host must be whole: every namespace, nothing failed. */
function expectWhole(capture: HostCapture, who: string, namespaces: number): void {
  if (capture.status !== 'complete') throw new Error(`collect bench: ${who}'s capture is ${capture.status}: ${capture.error ?? ''}`);
  if (capture.namespaces.length !== namespaces + 1) throw new Error(`collect bench: ${who} captured ${capture.namespaces.length} namespaces, ${namespaces + 1} expected`);
}

async function runner(host: LabHost, text: string, namespaces: number): Promise<void> {
  expectWhole(await collectWithScript(new PrefixRunner(host.enter, new LocalRunner()), text, { name: host.name, role: host.role }), 'the local runner', namespaces);
}

const AGENT_POD = 'tunnelscope-agent-bench';

/** The test API server with one node, the host, and the agent's pod on it; its execs run on the host. */
async function apiServer(host: LabHost): Promise<{ server: TestApiServer; kc: KubeConfig }> {
  const server = new TestApiServer({ tokens: { 'bench-token': { user: 'bench' } }, execPrefix: (pod) => (pod.spec?.nodeName === host.name ? host.enter : null) });
  await server.start();
  server.nodes.push(nodeObject(host.name, '192.168.77.1', '10.77.0.0/16'));
  server.addPod(agentPodObject(AGENT_POD, host.name, '192.168.77.1'));
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig({ context: 'bench', cluster: 'bench', token: 'bench-token' }));
  return { server, kc };
}

async function kubeExec(kc: KubeConfig, host: LabHost, text: string, namespaces: number): Promise<void> {
  const pod = { namespace: 'tunnelscope-agent', name: AGENT_POD, container: 'agent' };
  expectWhole(await collectThroughPod(kc, text, { pod, enter: [], scriptArgs: [] }, { name: host.name, role: host.role, timeoutMs: 600_000 }), 'the kube exec', namespaces);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function collectBench(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('collect bench: needs root to build a kernel host (BENCH_SKIP_COLLECT=1 skips it)');
  const pods = Object.fromEntries(Array.from({ length: PODS }, (_, i) => [`pod${i}`, `10.77.${i >> 6}.${(i & 63) * 4 + 2}/30`]));
  const loadAtStart = loadavg()[0];
  const built = await buildHosts([{ name: 'bench-host', role: 'worker', pods }], 'tsbench-');
  const batchFile = path.join(built.stateDir, 'floor.batch');
  writeFileSync(batchFile, FLOOR_BATCH);
  let api: { server: TestApiServer; kc: KubeConfig } | undefined;
  try {
    const host = built.hosts[0];
    const namespaces = await listHostNamespaces(host);
    api = await apiServer(host);
    const { kc } = api;
    // The script the runners send, read once: its file's read is no part of a collection.
    const text = readFileSync(SCRIPT, 'utf8');
    const cases: Record<string, () => Promise<void>> = {
      floor: () => floor(host, batchFile, namespaces),
      'collector script': () => script(host, namespaces.length),
      'local/lab runner': () => runner(host, text, namespaces.length),
      'kube exec runner': () => kubeExec(kc, host, text, namespaces.length),
    };
    if (BASELINE) cases['baseline script'] = () => script(host, namespaces.length, path.resolve(BASELINE));
    const times = new Map<string, number[]>(Object.keys(cases).map((k) => [k, []]));
    for (let i = 0; i < RUNS; i++) for (const [label, fn] of Object.entries(cases)) times.get(label)?.push(await timed(fn));
    const floorSeconds = median(times.get('floor') ?? []);
    console.log(`collect: one kernel host with ${namespaces.length} pod namespaces (a veth each), median of ${RUNS} runs`);
    for (const [label, values] of times) {
      const s = median(values);
      console.log(`  ${label.padEnd(18)}${s.toFixed(2).padStart(7)} s  ${(s / floorSeconds).toFixed(2)}× the floor  (runs: ${values.map((v) => v.toFixed(2)).join(', ')} s)`);
    }
    console.log(`  target              ≤ 2× the floor for the script and every runner; load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`);
  } finally {
    await api?.server.stop();
    await built.teardown();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await collectBench();
