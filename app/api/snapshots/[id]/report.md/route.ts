import { z } from 'zod';
import { renderReport } from '@/lib/export/report';
import { etagFor, immutableResponse } from '../../../_http/cache';
import { withErrors } from '../../../_http/errors';
import { parseQuery } from '../../../_http/query';
import { loadView, rulesParam, shownRules, type IdParams } from '../../../_http/snapshots';

/** Bumped when the report's layout changes, so cached copies are not reused for the new layout. */
const REPORT_FORMAT = 'report-2';

/** GET /api/snapshots/<id>/report.md[?rules=current]: findings, evidence and fixes as Markdown. */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    const url = new URL(request.url);
    const { rules } = parseQuery(z.object({ rules: rulesParam }), url);
    const view = await loadView(id, rules);
    const link = new URL(`/s/${id}${rules === 'current' ? '?rules=current' : ''}`, url.origin).toString();
    return immutableResponse(
      request,
      etagFor(id, shownRules(view), REPORT_FORMAT, link),
      () => renderReport(view, { link }),
      { 'Content-Type': 'text/markdown; charset=utf-8', 'Content-Disposition': `inline; filename="tunnelscope-${id}.md"` },
      { rules },
    );
  });
}
