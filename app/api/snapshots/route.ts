import { z } from 'zod';
import { getStore } from '@/lib/store';
import { MAX_PAGE_SIZE } from '@/lib/store/sql-store';
import { maxUploadBytes, readBody } from '../_http/body';
import { audit } from '@/lib/auth/audit';
import { authorize, limitCollections } from '../_http/auth';
import { SECURITY_HEADERS, withErrors } from '../_http/errors';
import { intakeFromBody } from '../_http/intake';
import { parseQuery } from '../_http/query';

export const dynamic = 'force-dynamic';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  cursor: z.string().min(1).max(512).optional(),
  host: z.string().min(1).max(253).optional(),
  cluster: z.string().min(1).max(253).optional(),
  hasFaults: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
});

/** GET /api/snapshots?limit&cursor&host&cluster&hasFaults: newest first, one page. */
export async function GET(request: Request): Promise<Response> {
  return withErrors(async () => {
    await authorize(request, 'viewer');
    const query = parseQuery(listQuery, new URL(request.url));
    const page = await getStore().list(query);
    return Response.json(page, { headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
  });
}

/** POST /api/snapshots: a bundle, a source to capture, or uploaded command output → a stored snapshot. */
export async function POST(request: Request): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'collector');
    const url = new URL(request.url);
    const bytes = await readBody(request, maxUploadBytes());
    const intake = await intakeFromBody(bytes, request.headers.get('content-type'), url, {
      // Checked before anything runs on a host: only a capture from a source collects.
      beforeCollect: async (source) => {
        await authorize(request, 'collector', { collects: true });
        limitCollections(caller);
        return { onCollected: (hosts) => audit(caller, 'collect', { target: source, hosts }) };
      },
    });
    const meta = await getStore().create({ bundle: intake.bundle, title: intake.title });
    await audit(caller, 'snapshot.create', { target: meta.id, hosts: meta.hosts, detail: { title: meta.title, source: meta.source.kind } });
    const link = `/s/${meta.id}`;
    return Response.json({ snapshot: meta, url: link, problems: intake.problems }, { status: 201, headers: { ...SECURITY_HEADERS, Location: link, 'Cache-Control': 'no-store' } });
  });
}
