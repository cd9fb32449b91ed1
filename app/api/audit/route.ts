import { z } from 'zod';
import { audit } from '@/lib/auth/audit';
import { getStore } from '@/lib/store';
import { AUDIT_ACTIONS, DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE } from '@/lib/store/audit';
import { authorize } from '../_http/auth';
import { SECURITY_HEADERS, withErrors } from '../_http/errors';
import { parseQuery } from '../_http/query';

export const dynamic = 'force-dynamic';

const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).optional(),
  /** The `at` and `id` of the last entry of the previous page, as `AT~ID`. */
  before: z
    .string()
    .regex(/^[0-9T:.Z-]{10,40}~[A-Za-z0-9_-]{1,64}$/, 'before is the at~id of the last entry seen')
    .transform((v) => {
      const [at, id] = v.split('~');
      return { at, id };
    })
    .optional(),
  actor: z.string().min(1).max(256).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
});

/** GET /api/audit?limit&before&actor&action: the audit log, newest first; admins only, and reading it is logged too. */
export async function GET(request: Request): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'admin');
    const query = parseQuery(auditQuery, new URL(request.url));
    const entries = await getStore().listAudit(query);
    await audit(caller, 'audit.read');
    const last = entries[entries.length - 1];
    const next = last && entries.length === (query.limit ?? DEFAULT_AUDIT_PAGE) ? `${last.at}~${last.id}` : undefined;
    return Response.json({ entries, next }, { headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
  });
}
