/**
 * `npm run bench`: pipeline figures on a synthetic 500-host × 60-pod capture (and the dashboard figures when
 * a browser and a build are present). A benchmark prints figures; it does not pass or fail.
 */
import { readFileSync } from 'node:fs';
import { parseBundle, serializeBundle } from '@/lib/capture/bundle';
import { analyze } from '@/lib/analyze';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources';
import { syntheticBundle } from './synthetic';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 500);
const PODS = Number(process.env.BENCH_PODS ?? 60);

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

async function pipelineBench(): Promise<void> {
  const base = parseBundle(JSON.parse(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8')) as unknown);
  if (!base.ok) throw new Error(base.error);
  const text = serializeBundle(syntheticBundle(base.bundle, HOSTS, PODS));
  const bytes = Buffer.byteLength(text);

  const [, jsonMs] = time(() => JSON.parse(text) as unknown);
  const [analysis, pipelineMs] = time(() => {
    const parsed = parseBundle(JSON.parse(text) as unknown);
    if (!parsed.ok) throw new Error(parsed.error);
    return analyze(parsed.bundle);
  });
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  console.log(`pipeline: synthetic capture of ${HOSTS} hosts × ${PODS} pod namespaces`);
  console.log(`  bundle size                 ${mib(bytes)}`);
  console.log(`  JSON.parse alone            ${jsonMs.toFixed(0)} ms`);
  console.log(`  validate+parse+topology+diagnose ${pipelineMs.toFixed(0)} ms (${(pipelineMs / jsonMs).toFixed(1)}× JSON.parse)`);
  console.log(`  graph                       ${analysis.topology.nodes.length} nodes, ${analysis.topology.edges.length} edges, ${analysis.findings.length} findings`);
  console.log(`  peak RSS                    ${mib(peakRss)}`);
  console.log(`  target                      < 10 s and < 2 GiB: ${pipelineMs < 10_000 && peakRss < 2 * 1024 ** 3 ? 'met' : 'NOT met'}`);
}

async function main(): Promise<void> {
  await pipelineBench();
  clearInterval(sampler);
  try {
    const { uiBench } = await import('./ui');
    await uiBench();
  } catch (error) {
    console.log(`dashboard: skipped (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
}

void main();
