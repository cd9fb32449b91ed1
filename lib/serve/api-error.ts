/** The errors a request can end in, as the API answers them: an HTTP status, a stable code and a message. */
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
  | 'analysis_too_costly'
  | 'too_many_devices'
  | 'too_many_hosts'
  | 'unauthenticated'
  | 'forbidden'
  | 'read_only'
  | 'rate_limited'
  | 'internal';

/** An error whose message is written for the person calling the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Sent as Retry-After: when a refusal for load or rate is worth retrying. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
