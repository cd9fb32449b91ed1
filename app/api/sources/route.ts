import { sourcesOnThisServer } from '@/lib/sources';
import { authorize } from '../_http/auth';
import { SECURITY_HEADERS, withErrors } from '../_http/errors';

export const dynamic = 'force-dynamic';

/** GET /api/sources: the sources this server captures from, what the dashboard offers for each, and whether each can be reached now. */
export async function GET(request: Request): Promise<Response> {
  return withErrors(async () => {
    await authorize(request, 'viewer');
    return Response.json({ sources: await sourcesOnThisServer() }, { headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
  });
}
