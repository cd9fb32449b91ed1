import type { z } from 'zod';
import { ApiError } from '@/lib/serve/api-error';

/** Validates the query string against a schema; unknown parameters are ignored. */
export function parseQuery<T extends z.ZodTypeAny>(schema: T, url: URL): z.infer<T> {
  const raw: Record<string, string> = {};
  for (const [key, value] of url.searchParams) raw[key] = value;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
    throw new ApiError(400, 'bad_request', `Invalid query parameters: ${detail}`);
  }
  return parsed.data;
}
