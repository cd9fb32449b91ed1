import { z } from 'zod';
import { findingForTrace, traceRoute } from '@/lib/diagnose/trace';
import { etagFor, immutableResponse } from '../../_http/cache';
import { withErrors } from '../../_http/errors';
import { parseQuery } from '../../_http/query';
import { loadView, rulesParam, shownRules, type IdParams } from '../../_http/snapshots';

const traceQuery = z.object({
  from: z.string().trim().min(1, 'from is required: an element id or a host name').max(512),
  to: z.string().trim().min(1, 'to is required: an IP address').max(64),
  rules: rulesParam,
});

/** GET /api/trace/<id>?from=ELEMENT|HOST&to=IP: the hop-by-hop path through the snapshot's topology. */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    const { from, to, rules } = parseQuery(traceQuery, new URL(request.url));
    const view = await loadView(id, rules);
    const result = traceRoute(view.topology, from, to);
    const finding = findingForTrace(result, view.findings);
    const breakAt = result.brokenAt === undefined ? undefined : result.hops[result.brokenAt]?.element;
    const body = JSON.stringify({ ...result, breakAt, reached: result.ok, summary: result.reason, finding });
    return immutableResponse(request, etagFor(id, shownRules(view), 'trace', `${from}>${to}`), () => body, {
      'Content-Type': 'application/json; charset=utf-8',
    });
  });
}
