import { getStore, storeConfigFromEnv } from '@/lib/store';
import { errorResponse, logError, SECURITY_HEADERS } from '../_http/errors';
import { analysisPool } from '@/lib/analysis-thread';

export const dynamic = 'force-dynamic';

/** GET /api/healthz: 200 when the database answers, 503 otherwise; with the analyses running and waiting. */
export async function GET(): Promise<Response> {
  let database: string;
  try {
    database = storeConfigFromEnv().kind;
    await getStore().list({ limit: 1 });
  } catch (error) {
    logError('tunnelscope health check failed:', error);
    return errorResponse(503, 'unavailable', 'The snapshot database is not reachable; see the server log.');
  }
  return Response.json({ ok: true, database, analyses: analysisPool().state() }, { headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
}
