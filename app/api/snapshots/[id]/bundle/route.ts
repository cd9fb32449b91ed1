import { getStore, isSnapshotId } from '@/lib/store';
import { audit } from '@/lib/auth/audit';
import { authorize } from '../../../_http/auth';
import { etagFor, immutableResponse } from '../../../_http/cache';
import { notFound, withErrors } from '../../../_http/errors';
import type { IdParams } from '../../../_http/snapshots';

/** GET /api/snapshots/<id>/bundle: the stored capture bundle as a download. */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { id } = await params;
    const { caller, share } = await authorize(request, 'viewer', { snapshot: id });
    if (!isSnapshotId(id)) throw notFound(`Snapshot "${id.slice(0, 64)}"`);
    const bundle = await getStore().getBundle(id);
    if (!bundle) throw notFound(`Snapshot ${id}`);
    await audit(caller, 'snapshot.export', { target: id, hosts: bundle.hosts.map((h) => h.name), share });
    return immutableResponse(request, etagFor(id, 'bundle'), () => JSON.stringify(bundle), {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="tunnelscope-${id}.bundle.json"`,
    });
  });
}
