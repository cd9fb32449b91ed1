import { z } from 'zod';
import { MAX_SHARE_DAYS } from '@/lib/auth/access';
import { audit } from '@/lib/auth/audit';
import { signingSecret } from '@/lib/auth/server';
import { signShare } from '@/lib/auth/signed';
import { getStore, isSnapshotId } from '@/lib/store';
import { authorize } from '../../../_http/auth';
import { readBody } from '../../../_http/body';
import { ApiError } from '@/lib/serve/api-error';
import { notFound, SECURITY_HEADERS, withErrors } from '../../../_http/errors';
import type { IdParams } from '../../../_http/snapshots';

const shareBody = z.object({ days: z.number().positive().max(MAX_SHARE_DAYS, `a share link lasts at most ${MAX_SHARE_DAYS} days`).default(7) }).strict();

/**
 * POST /api/snapshots/<id>/share {"days"?: 1–30}: a link to this snapshot that opens it, its embed and its exports
 * for anyone holding it, until it expires. Signed by the server, so it cannot be guessed or widened to another snapshot.
 */
export async function POST(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    const { caller } = await authorize(request, 'collector');
    if (!isSnapshotId(id) || !(await getStore().getOverview(id))) throw notFound(`Snapshot "${id.slice(0, 64)}"`);
    const text = new TextDecoder().decode(await readBody(request, 4096)).trim();
    let json: unknown = {};
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new ApiError(400, 'invalid_json', 'Send {"days": N} or nothing.');
    }
    const parsed = shareBody.safeParse(json);
    if (!parsed.success) throw new ApiError(400, 'bad_request', parsed.error.issues.map((i) => i.message).join('; '));
    const exp = Math.floor(Date.now() / 1000 + parsed.data.days * 86_400);
    const token = signShare(await signingSecret(), { snapshot: id, by: caller.user, exp });
    const expires = new Date(exp * 1000).toISOString();
    await audit(caller, 'share.create', { target: id, detail: { expires } });
    const url = `/s/${id}?share=${encodeURIComponent(token)}`;
    return Response.json({ url, embed: `/embed/${id}?share=${encodeURIComponent(token)}`, expires }, { status: 201, headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
  });
}
