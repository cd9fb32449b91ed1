import { z } from 'zod';
import { getStore } from '@/lib/store';
import { MAX_PAGE_SIZE } from '@/lib/store/sql-store';
import { clientOf, creationLimiter } from '@/lib/serve/rate-limit';
import { maxUploadBytes, readBody } from '../_http/body';
import { audit } from '@/lib/auth/audit';
import { impersonationFor } from '@/lib/auth/impersonation';
import { authorize, limitCollections } from '../_http/auth';
import { ApiError } from '@/lib/serve/api-error';
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

/** POST /api/snapshots: a bundle, a source to capture, or uploaded command output → a stored snapshot. */
export async function POST(request: Request): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'collector');
    const url = new URL(request.url);
    const admission = creationLimiter().take(clientOf(request.headers));
    if (!admission.ok) {
      throw new ApiError(
        429,
        'rate_limited',
        `Too many snapshots from this client: try again in ${admission.retryAfterSeconds} s (TUNNELSCOPE_RATE_LIMIT_PER_MINUTE sets how many one client may create per minute).`,
      );
    }
    const bytes = await readBody(request, maxUploadBytes());
    // Import and analysis run on an analysis thread within its budgets: an upload that costs too much fails alone,
    // and this thread goes on serving every other request meanwhile.
    const pool = analysisPool();
    let answer = await pool.run({ kind: 'upload', bytes, contentType: request.headers.get('content-type'), url: url.href }, 'the upload', [bytes.buffer]);
    if (answer.kind === 'source') {
      // Collecting runs commands (its own time limits); what they print is analysed on the thread like an upload.
      const impersonate = impersonationFor(caller) ?? undefined;
      const intake = await fromSource(
        answer.source,
        answer.title ?? url.searchParams.get('title') ?? undefined,
        {
          impersonate,
          // Checked before anything runs on a host: only a capture from a source collects.
          beforeCollect: async (source) => {
            await authorize(request, 'collector', { collects: true });
            limitCollections(caller);
            return { onCollected: (hosts) => audit(caller, 'collect', { target: source, hosts }) };
          },
        },
        answer.kube,
      );
      answer = await pool.run({ kind: 'bundle', bundle: intake.bundle, title: intake.title }, `the ${answer.source} collection`);
    }
    if (answer.kind !== 'prepared') throw new Error(`unexpected analysis answer: ${answer.kind}`);
    const meta = await getStore().createPrepared(answer.prepared);
    await audit(caller, 'snapshot.create', { target: meta.id, hosts: meta.hosts, detail: { title: meta.title, source: meta.source.kind } });
    const link = `/s/${meta.id}`;
    return Response.json({ snapshot: meta, url: link, problems: answer.problems }, { status: 201, headers: { ...SECURITY_HEADERS, Location: link, 'Cache-Control': 'no-store' } });
  });
}
