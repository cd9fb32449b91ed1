import { z } from 'zod';
import { diffViews } from '@/lib/diff/diff';
import { authorize } from '../_http/auth';
import { etagFor, immutableResponse } from '../_http/cache';
import { withErrors } from '../_http/errors';
import { parseQuery } from '../_http/query';
import { loadView, rulesParam, shownRules } from '../_http/snapshots';

const diffQuery = z.object({
  a: z.string({ required_error: 'a (the earlier snapshot id) is required' }).min(1).max(128),
  b: z.string({ required_error: 'b (the later snapshot id) is required' }).min(1).max(128),
  rules: rulesParam,
});

/** GET /api/diff?a=ID&b=ID[&rules=current]: elements and findings added, removed and changed from a to b. */
export async function GET(request: Request): Promise<Response> {
  return withErrors(async () => {
    await authorize(request, 'viewer');
    const query = parseQuery(diffQuery, new URL(request.url));
    const [a, b] = await Promise.all([loadView(query.a, query.rules), loadView(query.b, query.rules)]);
    const etag = etagFor(query.a, shownRules(a), query.b, shownRules(b), 'diff-2', query.rules);
    return immutableResponse(request, etag, () => JSON.stringify(diffViews(a, b)), { 'Content-Type': 'application/json; charset=utf-8' }, { rules: query.rules });
  });
}
