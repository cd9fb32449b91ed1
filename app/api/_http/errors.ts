import { InvalidCursorError } from '@/lib/store/cursor';
import { AnalysisError } from '@/lib/analysis-thread';
import { ApiError, type ErrorCode } from '@/lib/serve/api-error';

export const SECURITY_HEADERS: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };

export function errorResponse(status: number, code: ErrorCode, message: string, details?: unknown, retryAfterSeconds?: number): Response {
  const body = details === undefined ? { error: { code, message } } : { error: { code, message, details } };
  const retry: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  return Response.json(body, { status, headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-store', ...retry } });
}

export function notFound(what: string): ApiError {
  return new ApiError(404, 'not_found', `${what} does not exist. Check the link; snapshot ids are case-sensitive.`);
}

/** SQLite's SQLITE_FULL and PostgreSQL's disk_full (53100): the database's disk has no room for the write. */
function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === '53100';
}

/**
 * An error for the server log, with the password of any URL in it masked (a PostgreSQL connection string in a
 * driver's message): log lines are read by more people than the database's credentials are meant for.
 */
export function logError(context: string, error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(context, text.replace(/(\/\/[^/\s:@]*:)[^@\s/]*@/g, '$1<redacted>@'));
}

/**
 * The database went away under the request (PostgreSQL restarting: admin_shutdown 57P01, crash_shutdown 57P02,
 * cannot_connect_now 57P03, or the connection refused or cut). The pool opens new connections by itself, so the
 * next request after the database is back succeeds without a restart of Tunnelscope.
 */
function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && ['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code)) return true;
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

/** What anything a request's work throws is for the caller: a typed error with the right status (the unexpected is logged). */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof InvalidCursorError) return new ApiError(400, 'bad_request', error.message);
  if (error instanceof AnalysisError) return new ApiError(error.status, error.code as ErrorCode, error.message, error.details, error.retryAfterSeconds);
  if (isDatabaseUnavailable(error)) {
    logError('tunnelscope api error: the database is unavailable:', error);
    return new ApiError(503, 'unavailable', 'The snapshot database is not reachable right now; try again in a few seconds.');
  }
  if (isDiskFull(error)) {
    console.error('tunnelscope api error: the database disk is full');
    return new ApiError(
      507,
      'storage_full',
      "The snapshot database's disk is full, so nothing was stored; snapshots stored before are intact. Free space on its volume (or set a retention) and try again.",
    );
  }
  logError('tunnelscope api error:', error);
  return new ApiError(500, 'internal', 'The server failed to handle this request; the error is in its log.');
}

/** Runs a handler and turns anything it throws into a typed JSON error with the right status. */
export async function withErrors(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    const failure = asApiError(error);
    return errorResponse(failure.status, failure.code, failure.message, failure.details, failure.retryAfterSeconds);
  }
}
