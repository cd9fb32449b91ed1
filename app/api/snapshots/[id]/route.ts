import { z } from 'zod';
import { etagFor, immutableResponse } from '../../_http/cache';
import { withErrors } from '../../_http/errors';
import { parseQuery } from '../../_http/query';
import { loadView, rulesParam, shownRules, type IdParams } from '../../_http/snapshots';

/** GET /api/snapshots/<id>[?rules=current]: the SnapshotView (metadata, topology, findings). */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    const { rules } = parseQuery(z.object({ rules: rulesParam }), new URL(request.url));
    const view = await loadView(id, rules);
    return immutableResponse(request, etagFor(id, shownRules(view), 'view', rules), () => JSON.stringify(view), {
      'Content-Type': 'application/json; charset=utf-8',
    });
  });
}
