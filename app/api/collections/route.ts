import { audit } from '@/lib/auth/audit';
import { impersonationFor } from '@/lib/auth/impersonation';
import { isCaptureKind, unknownSourceMessage } from '@/lib/capture/source-kinds';
import { ApiError } from '@/lib/serve/api-error';
import { collectionJobs } from '@/lib/serve/collection-jobs';
import { fromSource, sourceRequest } from '@/lib/serve/intake';
import { authorize } from '../_http/auth';
import { readBody } from '../_http/body';
import { admitCollection, admitSnapshot, storeCollected } from '../_http/collect';
import { asApiError, SECURITY_HEADERS, withErrors } from '../_http/errors';
import { jobLinks, jobsOf } from '../_http/jobs';

export const dynamic = 'force-dynamic';

/** A source and its choices are a few hundred bytes. */
const MAX_REQUEST_BYTES = 64 * 1024;

async function readRequest(request: Request) {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new ApiError(415, 'unsupported_media_type', 'Send application/json: { "source": …, "title"?, "kube"? }.');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(await readBody(request, MAX_REQUEST_BYTES)));
  } catch {
    throw new ApiError(400, 'invalid_json', 'The body is not valid JSON.');
  }
  const parsed = sourceRequest.safeParse(value);
  if (!parsed.success) throw new ApiError(400, 'bad_request', `Send { "source", "title"?, "kube"? }: ${parsed.error.issues[0].path.join('.')} ${parsed.error.issues[0].message}`);
  if (!isCaptureKind(parsed.data.source)) throw new ApiError(400, 'bad_request', unknownSourceMessage(parsed.data.source));
  return parsed.data;
}

/**
 * POST /api/collections { source, title?, kube? }: starts a collection and answers 202 at once with the job's id;
 * its progress is streamed from /api/collections/<id>/events, read from /api/collections/<id>, and DELETE there
 * cancels it. When it ends, the snapshot is stored (partial when hosts failed or were cancelled).
 */
export async function POST(request: Request): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'collector');
    const { source, title, kube } = await readRequest(request);
    admitSnapshot(request);
    await admitCollection(request, caller);
    const job = collectionJobs().start(caller.user, source, async (control) => {
      try {
        const intake = await fromSource(
          source,
          title,
          {
            impersonate: impersonationFor(caller) ?? undefined,
            control: { signal: control.signal, onProgress: control.progress, discovered: control.discovered },
            beforeCollect: async (kind) => ({ onCollected: (hosts) => audit(caller, 'collect', { target: kind, hosts }) }),
          },
          kube,
        );
        // Cancelled before any host gave anything: there is nothing to keep.
        if (control.signal.aborted && intake.bundle.hosts.every((h) => h.status === 'failed')) return {};
        control.storing();
        const { meta } = await storeCollected(caller, intake, source);
        return { snapshot: { id: meta.id, url: `/s/${meta.id}`, partialHosts: meta.partialHosts } };
      } catch (error) {
        throw asApiError(error);
      }
    });
    const links = jobLinks(job.id);
    return Response.json({ job: job.status(), ...links }, { status: 202, headers: { ...SECURITY_HEADERS, Location: links.url, 'Cache-Control': 'no-store' } });
  });
}

/**
 * GET /api/collections: the caller's collections (everyone's, for an admin), running and recently ended, the newest
 * first: how a page left while its collection ran, or another tab, finds the job again.
 */
export async function GET(request: Request): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'collector');
    const jobs = jobsOf(caller).map((job) => ({ ...job.status(), ...jobLinks(job.id) }));
    return Response.json({ jobs }, { headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
  });
}
