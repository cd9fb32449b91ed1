import { z } from 'zod';
import { pathForSubject } from '@/lib/view/path';
import { authorize } from '../../../_http/auth';
import { cachedResponse, etagFor } from '../../../_http/cache';
import { withErrors } from '../../../_http/errors';
import { parseQuery } from '../../../_http/query';
import { loadView, rulesParam, shownRules, type IdParams } from '../../../_http/snapshots';

/** Bumped when the path model changes, so cached answers are not reused for the new one. */
const PATH_FORMAT = 'path-1';

const pathQuery = z.object({
  subject: z.string().trim().max(1024).optional(),
  rules: rulesParam,
});

/**
 * GET /api/snapshots/<id>/path?subject=: the path view of a finding (`rule@element`), a trace (`from>to`) or a
 * pod or device (its id); without a subject, that of the most severe finding. `{ path: null }` when there is none.
 */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    const { subject, rules } = parseQuery(pathQuery, new URL(request.url));
    await authorize(request, 'viewer', { snapshot: id });
    // A path walks the whole snapshot: computed once per snapshot, subject and rules, like every other answer.
    return cachedResponse(
      request,
      id,
      ['path', subject ?? ''],
      async () => {
        const view = await loadView(id, rules);
        return {
          etag: etagFor(id, shownRules(view), PATH_FORMAT, rules, subject ?? ''),
          body: JSON.stringify({ path: pathForSubject(view.topology, view.findings, subject) ?? null }),
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
        };
      },
      { rules },
    );
  });
}
