import { z } from 'zod';
import type { Analysis } from '@/lib/analyze';
import { analysisPool } from '@/lib/analysis-thread';
import { compareFindings } from '@/lib/diagnose';
import { liveCounters } from '@/lib/diff/live-counters';
import { backgroundPriority } from '@/lib/capture/background';
import { CAPTURE_KINDS } from '@/lib/capture/source-kinds';
import { captureFromSource } from '@/lib/sources';
import { SourceError } from '@/lib/sources/source';
import { metaFor } from '@/lib/snapshot/meta';
import type { SnapshotView } from '@/lib/snapshot/types';
import { audit } from '@/lib/auth/audit';
import { impersonationFor } from '@/lib/auth/impersonation';
import { authorize, limitCollections } from '../_http/auth';
import { ApiError } from '@/lib/serve/api-error';
import { SECURITY_HEADERS, withErrors } from '../_http/errors';
import { parseQuery } from '../_http/query';
import { kubeChoiceQuery, kubeOptions } from '@/lib/serve/kube-choice';

const sourceQuery = z.object({
  source: z
    .string()
    .default(process.env.TUNNELSCOPE_DEFAULT_SOURCE ?? 'lab')
    .pipe(z.enum(CAPTURE_KINDS)),
});

export const dynamic = 'force-dynamic';

/**
 * GET /api/live?source=lab|local|sample|kube[&context=C&mode=agent|debug|cni-pod&podVms=1&nodes=a,b|selector=k=v
 * &podVmSsh.keySecret=NS/NAME&podVmSsh.knownHostsConfigMap=NS/NAME&podVmSsh.user=U&podVmSsh.skipHostKeyCheck=1]:
 * capture now and return the view, without storing anything. The cluster choice is the one POST /api/collections
 * takes, checked by the same schema. Its findings include what the counters say happened since the previous live
 * capture of the same source.
 */
export async function GET(request: Request): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'collector', { collects: true });
    limitCollections(caller);
    const url = new URL(request.url);
    const { source } = parseQuery(sourceQuery, url);
    const choice = parseQuery(kubeChoiceQuery, url);
    if (choice.nodes?.length && choice.selector) throw new ApiError(400, 'bad_request', 'Give nodes or selector, not both.');
    const kube = kubeOptions(choice, impersonationFor(caller) ?? undefined);
    // Counters are compared per source and cluster context, never across two clusters.
    const liveKey = source === 'kube' ? `kube:${choice.context ?? ''}` : source;
    let bundle;
    try {
      bundle = await captureFromSource(source, { kube, nice: backgroundPriority().nice });
    } catch (error) {
      if (error instanceof SourceError) throw new ApiError(409, 'source_unavailable', error.message);
      throw error;
    }
    await audit(caller, 'live', { target: liveKey, hosts: bundle.hosts.map((h) => h.name) });
    // What the commands printed is analysed on an analysis thread, within its budgets (lib/analysis-thread.ts).
    const answer = await analysisPool().run({ kind: 'analyze', bundle }, `the ${source} collection`);
    if (answer.kind !== 'analysis') throw new Error(`unexpected analysis answer: ${answer.kind}`);
    const analysis = JSON.parse(answer.json) as Analysis;
    const since = liveCounters.observe(liveKey, analysis.topology, Date.parse(bundle.createdAt));
    const findings = [...analysis.findings, ...since].sort(compareFindings);
    const view: SnapshotView = {
      meta: metaFor('live', bundle.createdAt, bundle, { ...analysis, findings }, `Live: ${source}`),
      topology: analysis.topology,
      findings,
    };
    return Response.json(view, { headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
  });
}
