import { z } from 'zod';
import { renderReport } from '@/lib/export/report';
import { authorize } from '../../../_http/auth';
import { cachedResponse, etagFor } from '../../../_http/cache';
import { withErrors } from '../../../_http/errors';
import { parseQuery } from '../../../_http/query';
import { loadView, rulesParam, shownRules, type IdParams } from '../../../_http/snapshots';

/** Bumped when the report's layout changes, so cached copies are not reused for the new layout. */
const REPORT_FORMAT = 'report-2';

/** GET /api/snapshots/<id>/report.md[?rules=current]: findings, evidence and fixes as Markdown. */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    await authorize(request, 'viewer', { snapshot: id });
    const url = new URL(request.url);
    const { rules } = parseQuery(z.object({ rules: rulesParam }), url);
    const link = new URL(`/s/${id}${rules === 'current' ? '?rules=current' : ''}`, url.origin).toString();
    return cachedResponse(
      request,
      id,
      ['report.md', link],
      async () => {
        const view = await loadView(id, rules);
        return {
          etag: etagFor(id, shownRules(view), REPORT_FORMAT, link),
          body: renderReport(view, { link }),
          headers: { 'Content-Type': 'text/markdown; charset=utf-8', 'Content-Disposition': `inline; filename="tunnelscope-${id}.md"` },
        };
      },
      { rules },
    );
  });
}
