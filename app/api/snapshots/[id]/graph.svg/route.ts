import { z } from 'zod';
import { renderTopologySvg } from '@/lib/export/svg';
import { authorize } from '../../../_http/auth';
import { cachedResponse, etagFor } from '../../../_http/cache';
import { withErrors } from '../../../_http/errors';
import { parseQuery } from '../../../_http/query';
import { loadView, rulesParam, shownRules, type IdParams } from '../../../_http/snapshots';

const SVG_FORMAT = 'svg-2';

const svgQuery = z.object({
  rules: rulesParam,
  host: z.string().min(1).max(253).optional(),
  focus: z.string().min(1).max(2048).optional(),
});

/** GET /api/snapshots/<id>/graph.svg[?host=&focus=&rules=current]: a static picture of the view. */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    await authorize(request, 'viewer', { snapshot: id });
    const query = parseQuery(svgQuery, new URL(request.url));
    return cachedResponse(
      request,
      id,
      ['graph.svg', query.host ?? '', query.focus ?? ''],
      async () => {
        const view = await loadView(id, query.rules);
        return {
          etag: etagFor(id, shownRules(view), SVG_FORMAT, query.rules, query.host ?? '', query.focus ?? ''),
          body: renderTopologySvg(view.topology, view.findings, { host: query.host, focus: query.focus, title: view.meta.title }),
          headers: {
            'Content-Type': 'image/svg+xml; charset=utf-8',
            // Opened directly, the picture still cannot run script or load anything.
            'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
          },
        };
      },
      { rules: query.rules },
    );
  });
}
