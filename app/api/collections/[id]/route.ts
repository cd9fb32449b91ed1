import { authorize } from '../../_http/auth';
import { SECURITY_HEADERS, withErrors } from '../../_http/errors';
import { jobFor } from '../../_http/jobs';
import type { IdParams } from '../../_http/snapshots';

export const dynamic = 'force-dynamic';

const NO_STORE = { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' };

/** GET /api/collections/<id>: the job's status now, for a client that polls instead of reading the event stream. */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'collector');
    return Response.json(jobFor((await params).id, caller).status(), { headers: NO_STORE });
  });
}

/** DELETE /api/collections/<id>: cancels the collection; hosts still running stop, and what was collected is stored. */
export async function DELETE(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'collector');
    const job = jobFor((await params).id, caller);
    job.cancel();
    return Response.json(job.status(), { status: 202, headers: NO_STORE });
  });
}
