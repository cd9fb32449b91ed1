import { z } from 'zod';
import { searchTopology } from '@/lib/view/search';
import { authorize } from '../../../_http/auth';
import { etagFor, immutableResponse } from '../../../_http/cache';
import { withErrors } from '../../../_http/errors';
import { parseQuery } from '../../../_http/query';
import { loadView, rulesParam, shownRules, type IdParams } from '../../../_http/snapshots';

const searchQuery = z.object({
  q: z.string().trim().min(2, 'q needs at least 2 characters: a pod name, IP, MAC or device name').max(200),
  rules: rulesParam,
});

/** GET /api/snapshots/<id>/search?q=: devices and pods by pod name, IP, MAC or device name, anywhere in the snapshot. */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    await authorize(request, 'viewer', { snapshot: id });
    const { q, rules } = parseQuery(searchQuery, new URL(request.url));
    const view = await loadView(id, rules);
    const body = () => JSON.stringify({ hits: searchTopology(view.topology, q) });
    return immutableResponse(request, etagFor(id, shownRules(view), 'search', rules, q), body, { 'Content-Type': 'application/json; charset=utf-8' }, { rules });
  });
}
