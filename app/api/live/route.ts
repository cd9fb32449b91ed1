import { z } from 'zod';
import type { Analysis } from '@/lib/analyze';
import { analysisPool } from '@/lib/analysis-thread';
import { compareFindings } from '@/lib/diagnose';
import { liveCounters } from '@/lib/diff/live-counters';
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
import { kubeChoiceShape, kubeOptions } from '@/lib/serve/kube-choice';

const liveQuery = z.object({
  source: z
    .string()
    .default(process.env.TUNNELSCOPE_DEFAULT_SOURCE ?? 'lab')
    .pipe(z.enum(CAPTURE_KINDS)),
  context: kubeChoiceShape.context,
  mode: kubeChoiceShape.mode,
  podVms: z.enum(['1', '0']).optional(),
  nodes: z
    .string()
    .max(64_000)
    .transform((text) => text.split(',').filter(Boolean))
    .pipe(kubeChoiceShape.nodes)
    .optional(),
  selector: kubeChoiceShape.selector,
});

export const dynamic = 'force-dynamic';

/**
 * GET /api/live?source=lab|local|sample|kube[&context=C&mode=agent|debug|cni-pod&podVms=1&nodes=a,b|selector=k=v]: capture now and return the view, without storing anything. Its findings
 * include what the counters say happened since the previous live capture of the same source.
 */
export async function GET(request: Request): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'collector', { collects: true });
    limitCollections(caller);
    const { source, context, mode, podVms, nodes, selector } = parseQuery(liveQuery, new URL(request.url));
    if (nodes?.length && selector) throw new ApiError(400, 'bad_request', 'Give nodes or selector, not both.');
    const kube = kubeOptions({ context, mode, podVms: podVms === '1', ...(nodes?.length ? { nodes } : {}), ...(selector ? { selector } : {}) }, impersonationFor(caller) ?? undefined);
    // Counters are compared per source and cluster context, never across two clusters.
    const liveKey = source === 'kube' ? `kube:${context ?? ''}` : source;
    let bundle;
    try {
      bundle = await captureFromSource(source, { kube });
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
