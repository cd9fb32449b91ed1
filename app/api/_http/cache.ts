import { createHash } from 'node:crypto';
import { etagMatches, responseCache, type Rendered } from '@/lib/serve/response-cache';
import { SECURITY_HEADERS } from './errors';
import type { RulesChoice } from './snapshots';

// private: answers are only for those allowed to read the snapshot, so no shared cache may keep them.
const IMMUTABLE = 'private, max-age=31536000, immutable';

/** Strong ETag from the parts that identify an immutable representation (snapshot id, rules version, view). */
export function etagFor(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 27);
  return `"${digest}"`;
}

/**
 * A snapshot's stored answers never change. Answers re-diagnosed with this server's rules (`rules=current`)
 * change at the same URL when the server's rules do: browsers keep them but ask again before each use, and get
 * a 304 while the ETag, which carries the rules version, still matches.
 */
const REVALIDATE = 'no-cache';

export interface CachingOptions {
  rules?: RulesChoice;
}

/** 304 when the client holds this version, else the body; both carry the ETag and the caching for `rules`. */
export function immutableResponse(request: Request, etag: string, body: () => BodyInit, headers: Record<string, string>, { rules = 'stored' }: CachingOptions = {}): Response {
  const common = { ...SECURITY_HEADERS, ETag: etag, 'Cache-Control': rules === 'current' ? REVALIDATE : IMMUTABLE };
  if (etagMatches(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers: common });
  return new Response(body(), { status: 200, headers: { ...common, ...headers } });
}

/**
 * An answer about snapshot `id` from the response cache (lib/serve/response-cache.ts): computed by `render` once
 * per `variant` (rules choice, level, format, query), then sent as the same bytes — a 304 when the client already
 * holds it. `render` throws ApiError for a missing snapshot, which is answered and never kept.
 */
export async function cachedResponse(request: Request, id: string, variant: string[], render: () => Promise<Rendered>, { rules = 'stored' }: CachingOptions = {}): Promise<Response> {
  const cache = responseCache();
  const key = [id, rules, ...variant].join('\u0000');
  const answer = cache.peek(key) ?? (await cache.get(key, render));
  const common = { ...SECURITY_HEADERS, ETag: answer.etag, 'Cache-Control': rules === 'current' ? REVALIDATE : IMMUTABLE };
  if (etagMatches(request.headers.get('if-none-match'), answer.etag)) return new Response(null, { status: 304, headers: common });
  // A Buffer over a plain ArrayBuffer, which Response sends as it is.
  return new Response(answer.body as Uint8Array<ArrayBuffer>, { status: 200, headers: { ...common, ...answer.headers } });
}
