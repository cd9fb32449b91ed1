import { z } from 'zod';
import { responseCache, type Rendered } from '@/lib/serve/response-cache';
import { audit } from '@/lib/auth/audit';
import { getStore, isSnapshotId } from '@/lib/store';
import { authorize } from '../../_http/auth';
import { cachedResponse, etagFor } from '../../_http/cache';
import { notFound, SECURITY_HEADERS, withErrors } from '../../_http/errors';
import { parseQuery } from '../../_http/query';
import { forgetViews, loadHost, loadOverview, loadView, rulesParam, shownRules, type IdParams, type RulesChoice } from '../../_http/snapshots';

/** Bumped when the shape of a level's answer changes, so cached copies of the old shape are not reused. */
const SUBVIEW_FORMAT = 'subview-1';

const viewQuery = z
  .object({
    rules: rulesParam,
    level: z.enum(['overview', 'full']).optional(),
    host: z.string().min(1).max(253).optional(),
  })
  .refine((q) => q.level === undefined || q.host === undefined, { message: 'give either level or host, not both' });

const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };

async function render(id: string, rules: RulesChoice, level: 'overview' | 'full' | undefined, host: string | undefined): Promise<Rendered> {
  if (level === 'overview') {
    // The default path the overview keeps is answered by the path endpoint, not sent twice.
    const { path: _path, ...overview } = await loadOverview(id, rules);
    return { etag: etagFor(id, shownRules(overview), SUBVIEW_FORMAT, 'overview', rules), body: JSON.stringify(overview), headers: JSON_TYPE };
  }
  if (host !== undefined) {
    const subview = await loadHost(id, host, rules);
    return { etag: etagFor(id, shownRules(subview), SUBVIEW_FORMAT, 'host', rules, host), body: JSON.stringify(subview), headers: JSON_TYPE };
  }
  const view = await loadView(id, rules);
  return { etag: etagFor(id, shownRules(view), 'view', rules), body: JSON.stringify(view), headers: JSON_TYPE };
}

/**
 * GET /api/snapshots/<id>[?rules=current]: the SnapshotView (metadata, topology, findings).
 * `?level=overview`: hosts, shared underlay segments, merged tunnels and underlay, fault counts per host,
 * findings without evidence.
 * `?host=NAME`: one host's devices, the far ends of its edges, and the findings and host state they need.
 */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    await authorize(request, 'viewer', { snapshot: id });
    const { rules, level, host } = parseQuery(viewQuery, new URL(request.url));
    return cachedResponse(request, id, ['view', level ?? '', host ?? ''], () => render(id, rules, level, host), { rules });
  });
}

/** DELETE /api/snapshots/<id>: admins remove a snapshot (and every link to it stops working); on the audit log. */
export async function DELETE(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    const { caller } = await authorize(request, 'admin');
    if (!isSnapshotId(id)) throw notFound(`Snapshot "${id.slice(0, 64)}"`);
    const meta = await getStore().delete(id);
    if (!meta) throw notFound(`Snapshot ${id}`);
    forgetViews(id);
    responseCache().forget(`${id}\u0000`);
    await audit(caller, 'snapshot.delete', { target: id, hosts: meta.hosts, detail: { title: meta.title } });
    return new Response(null, { status: 204, headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
  });
}
