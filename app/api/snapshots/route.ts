import { z } from 'zod';
import { getStore } from '@/lib/store';
import { MAX_PAGE_SIZE } from '@/lib/store/sql-store';
import { maxUploadBytes, readBody } from '../_http/body';
import { audit } from '@/lib/auth/audit';
import { impersonationFor } from '@/lib/auth/impersonation';
import { authorize } from '../_http/auth';
import { admitCollection, admitSnapshot, storeAnswer, storeCollected } from '../_http/collect';
import { SECURITY_HEADERS, withErrors } from '../_http/errors';
import { fromSource } from '@/lib/serve/intake';
import { analysisPool } from '@/lib/analysis-thread';
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

/** POST /api/snapshots: a bundle, a source to capture, or uploaded command output → a stored snapshot, answered when stored (POST /api/collections answers at once and streams progress). */
export async function POST(request: Request): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'collector');
    const url = new URL(request.url);
    admitSnapshot(request);
    const bytes = await readBody(request, maxUploadBytes());
    // Import and analysis run on an analysis thread within its budgets: an upload that costs too much fails alone,
    // and this thread goes on serving every other request meanwhile.
    const answer = await analysisPool().run({ kind: 'upload', bytes, contentType: request.headers.get('content-type'), url: url.href }, 'the upload', [bytes.buffer]);
    let stored;
    if (answer.kind === 'source') {
      // Collecting runs commands (its own time limits); what they print is analysed on the thread like an upload.
      const intake = await fromSource(
        answer.source,
        answer.title ?? url.searchParams.get('title') ?? undefined,
        {
          impersonate: impersonationFor(caller) ?? undefined,
          // Checked before anything runs on a host: only a capture from a source collects.
          beforeCollect: async (source) => {
            await admitCollection(request, caller);
            return { onCollected: (hosts) => audit(caller, 'collect', { target: source, hosts }) };
          },
        },
        answer.kube,
      );
      stored = await storeCollected(caller, intake, answer.source);
    } else stored = await storeAnswer(caller, answer);
    const link = `/s/${stored.meta.id}`;
    return Response.json({ snapshot: stored.meta, url: link, problems: stored.problems }, { status: 201, headers: { ...SECURITY_HEADERS, Location: link, 'Cache-Control': 'no-store' } });
  });
}
