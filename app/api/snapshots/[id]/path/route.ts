import { z } from 'zod';
import { pathForSubject, type PathView } from '@/lib/snapshot/path';
import { authorize } from '../../../_http/auth';
import { cachedResponse, etagFor } from '../../../_http/cache';
import { withErrors } from '../../../_http/errors';
import { parseQuery } from '../../../_http/query';
import { loadOverview, loadView, rulesParam, shownRules, type IdParams, type RulesChoice } from '../../../_http/snapshots';

/** Bumped when the path model changes, so cached answers are not reused for the new one. */
const PATH_FORMAT = 'path-1';

const pathQuery = z.object({
  subject: z.string().trim().max(1024).optional(),
  rules: rulesParam,
});

/**
 * The default path (no subject, stored rules) is kept with the snapshot's overview, which is read without
 * unpacking every host: an incident page shows it as soon as its graph. Any other path walks the whole topology,
 * and so does the default one of an overview stored before paths were kept in it.
 */
async function pathOf(id: string, subject: string, rules: RulesChoice): Promise<{ rulesVersion: string; path: PathView | null }> {
  if (subject === '' && rules === 'stored') {
    const overview = await loadOverview(id, rules);
    if (overview.path !== undefined) return { rulesVersion: shownRules(overview), path: overview.path };
  }
  const view = await loadView(id, rules);
  return { rulesVersion: shownRules(view), path: pathForSubject(view.topology, view.findings, subject) ?? null };
}

/**
 * GET /api/snapshots/<id>/path?subject=: the path view of a finding (`rule@element`), a trace (`from>to`) or a
 * pod or device (its id); without a subject, that of the most severe finding. `{ path: null }` when there is none.
 */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    const { subject = '', rules } = parseQuery(pathQuery, new URL(request.url));
    await authorize(request, 'viewer', { snapshot: id });
    // Computed once per snapshot, subject and rules, like every other answer.
    return cachedResponse(
      request,
      id,
      ['path', subject],
      async () => {
        const { rulesVersion, path } = await pathOf(id, subject, rules);
        return {
          etag: etagFor(id, rulesVersion, PATH_FORMAT, rules, subject),
          body: JSON.stringify({ path }),
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
        };
      },
      { rules },
    );
  });
}
