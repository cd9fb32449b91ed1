import { InvalidCursorError } from '@/lib/store/cursor';

export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'invalid_bundle'
  | 'nothing_recognised'
  | 'not_found'
  | 'payload_too_large'
  | 'rate_limited'
  | 'storage_full'
  | 'unsupported_media_type'
  | 'source_unavailable'
  | 'not_implemented'
  | 'unavailable'
  | 'internal';

/** An error whose message is written for the person calling the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const SECURITY_HEADERS: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };

export function errorResponse(status: number, code: ErrorCode, message: string, details?: unknown): Response {
  const body = details === undefined ? { error: { code, message } } : { error: { code, message, details } };
  return Response.json(body, { status, headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' } });
}

export function notFound(what: string): ApiError {
  return new ApiError(404, 'not_found', `${what} does not exist. Check the link; snapshot ids are case-sensitive.`);
}

/** SQLite's SQLITE_FULL and PostgreSQL's disk_full (53100): the database's disk has no room for the write. */
function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === '53100';
}

/** Runs a handler and turns anything it throws into a typed JSON error with the right status. */
export async function withErrors(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error.status, error.code, error.message, error.details);
    if (error instanceof InvalidCursorError) return errorResponse(400, 'bad_request', error.message);
    if (isDiskFull(error)) {
      console.error('tunnelscope api error: the database disk is full');
      return errorResponse(
        507,
        'storage_full',
        "The snapshot database's disk is full, so nothing was stored; snapshots stored before are intact. Free space on its volume (or set a retention) and try again.",
      );
    }
    console.error('tunnelscope api error', error);
    return errorResponse(500, 'internal', 'The server failed to handle this request; the error is in its log.');
  }
}
