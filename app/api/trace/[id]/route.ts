import { z } from 'zod';
import { findingForTrace, traceRoute } from '@/lib/diagnose/trace';
import { elementHosts } from '@/lib/snapshot/subview';
import { authorize } from '../../_http/auth';
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
    await authorize(request, 'viewer', { snapshot: id });
    const { from, to, rules } = parseQuery(traceQuery, new URL(request.url));
    const view = await loadView(id, rules);
    const result = traceRoute(view.topology, from, to);
    const finding = findingForTrace(result, view.findings);
    const breakAt = result.brokenAt === undefined ? undefined : result.hops[result.brokenAt]?.element;
    // The host of each hop lets an overview mark the hosts on the path and a click open the right host.
    const hostsOf = elementHosts(view.topology);
    const hops = result.hops.map((hop) => ({ ...hop, host: hostsOf(hop.element)[0] }));
    const body = JSON.stringify({ ...result, hops, breakAt, reached: result.ok, summary: result.reason, finding });
    return immutableResponse(request, etagFor(id, shownRules(view), 'trace', rules, `${from}>${to}`), () => body, { 'Content-Type': 'application/json; charset=utf-8' }, { rules });
  });
}
