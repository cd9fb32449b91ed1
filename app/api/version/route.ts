import { RULES_VERSION } from '@/lib/diagnose';
import { SECURITY_HEADERS } from '../_http/errors';

export const dynamic = 'force-dynamic';

/** GET /api/version: the rules this server diagnoses with, which `?rules=current` re-checks a snapshot under. */
export function GET(): Response {
  return Response.json({ rulesVersion: RULES_VERSION }, { headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
}
