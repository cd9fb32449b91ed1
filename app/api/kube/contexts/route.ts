import { KubeAccessError, listContexts } from '@/lib/kube/config';
import { authorize } from '../../_http/auth';
import { ApiError } from '@/lib/serve/api-error';
import { SECURITY_HEADERS, withErrors } from '../../_http/errors';

export const dynamic = 'force-dynamic';

/** GET /api/kube/contexts: the contexts of the server's kubeconfig for the dashboard's picker (names only). */
export async function GET(request: Request): Promise<Response> {
  return withErrors(async () => {
    // Only those who may collect see which clusters the dashboard can reach.
    await authorize(request, 'collector', { collects: true });
    try {
      return Response.json({ contexts: listContexts() }, { headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
    } catch (error) {
      if (error instanceof KubeAccessError) throw new ApiError(409, 'source_unavailable', error.message);
      throw error;
    }
  });
}
