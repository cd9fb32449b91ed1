import { RULES_VERSION } from '@/lib/diagnose';
import { authorize } from '../_http/auth';
import { SECURITY_HEADERS, withErrors } from '../_http/errors';

export const dynamic = 'force-dynamic';

/** GET /api/version: the rules this server diagnoses with, which `?rules=current` re-checks a snapshot under. */
export async function GET(request: Request): Promise<Response> {
  return withErrors(async () => {
    await authorize(request, 'viewer');
    return Response.json({ rulesVersion: RULES_VERSION }, { headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
  });
}
