import type { JobEvent } from '@/lib/sources/collection-progress';
import { authorize } from '../../../_http/auth';
import { SECURITY_HEADERS, withErrors } from '../../../_http/errors';
import { jobFor } from '../../../_http/jobs';
import type { IdParams } from '../../../_http/snapshots';

export const dynamic = 'force-dynamic';

/** A comment line now and then keeps proxies from closing a stream that waits on a slow host. */
const KEEPALIVE_MS = 15_000;

/**
 * GET /api/collections/<id>/events: the job's events as Server-Sent Events, each with its number as the event id,
 * from after Last-Event-ID (a reconnecting EventSource sends it) to the end event, after which the stream closes.
 */
export async function GET(request: Request, { params }: IdParams): Promise<Response> {
  return withErrors(async () => {
    const { caller } = await authorize(request, 'collector');
    const job = jobFor((await params).id, caller);
    const after = Number.parseInt(request.headers.get('last-event-id') ?? '0', 10);
    const encoder = new TextEncoder();
    let open = true;
    let keepalive: ReturnType<typeof setInterval> | undefined;
    let unsubscribe: (() => void) | undefined;
    const stop = () => {
      open = false;
      clearInterval(keepalive);
      unsubscribe?.();
    };
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (text: string) => {
          if (open) controller.enqueue(encoder.encode(text));
        };
        const end = () => {
          if (!open) return;
          stop();
          controller.close();
        };
        keepalive = setInterval(() => send(': keepalive\n\n'), KEEPALIVE_MS);
        unsubscribe = job.subscribe(Number.isFinite(after) ? after : 0, (event: JobEvent) => {
          send(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`);
          if (event.type === 'end') end();
        });
        // Reconnected after the end event: nothing more will come.
        if (job.ended) end();
        request.signal.addEventListener('abort', stop);
      },
      cancel: stop,
    });
    return new Response(stream, {
      headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store, no-transform', 'X-Accel-Buffering': 'no' },
    });
  });
}
