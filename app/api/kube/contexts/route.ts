import { KubeAccessError, listContexts } from '@/lib/kube/config';
import { ApiError, SECURITY_HEADERS, withErrors } from '../../_http/errors';

export const dynamic = 'force-dynamic';

/** GET /api/kube/contexts: the contexts of the server's kubeconfig for the dashboard's picker (names only). */
export async function GET(): Promise<Response> {
  return withErrors(async () => {
    try {
      return Response.json({ contexts: listContexts() }, { headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
    } catch (error) {
      if (error instanceof KubeAccessError) throw new ApiError(409, 'source_unavailable', error.message);
      throw error;
    }
  });
}
