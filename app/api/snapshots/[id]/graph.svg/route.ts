import { z } from 'zod';
import { renderTopologySvg } from '@/lib/export/svg';
import { authorize } from '../../../_http/auth';
import { pathForSubject } from '@/lib/snapshot/path';
import { cachedResponse, etagFor } from '../../../_http/cache';
import { withErrors } from '../../../_http/errors';
import { parseQuery } from '../../../_http/query';
import { loadView, rulesParam, shownRules, type IdParams } from '../../../_http/snapshots';

const SVG_FORMAT = 'svg-3';

const svgQuery = z.object({
  rules: rulesParam,
  host: z.string().min(1).max(253).optional(),
  focus: z.string().min(1).max(2048).optional(),
  /** The path view drawn above the graph, as the page's `path=`; unset: the most severe finding's; `none`: no path. */
  path: z.string().min(1).max(1024).optional(),
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
      ['graph.svg', query.host ?? '', query.focus ?? '', query.path ?? ''],
      async () => {
        const view = await loadView(id, query.rules);
        const path = query.path === 'none' ? undefined : pathForSubject(view.topology, view.findings, query.path);
        return {
          etag: etagFor(id, shownRules(view), SVG_FORMAT, query.rules, query.host ?? '', query.focus ?? '', query.path ?? ''),
          body: renderTopologySvg(view.topology, view.findings, { host: query.host, focus: query.focus, title: view.meta.title, path }),
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
