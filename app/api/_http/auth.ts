import { decide, type AccessNeeds } from '@/lib/auth/access';
import type { Caller } from '@/lib/auth/identity';
import { KubeReviewError } from '@/lib/auth/kube';
import { collectPerMinute, RateLimiter } from '@/lib/auth/rate-limit';
import type { Role } from '@/lib/auth/roles';
import { authConfig, callerOf, signingSecret } from '@/lib/auth/server';
import type { ShareClaims } from '@/lib/auth/signed';
import { ApiError } from '@/lib/serve/api-error';

export interface Authorized {
  caller: Caller;
  /** Set when the caller came through a share link. */
  share?: ShareClaims;
}

/** The first line of every route handler: who calls, and may they do what this route does. */
export async function authorize(request: Request, needed: Role, needs: AccessNeeds = {}): Promise<Authorized> {
  const config = authConfig();
  const caller = await callerOf(request.headers).catch((error: unknown) => {
    if (error instanceof KubeReviewError) throw new ApiError(503, 'unavailable', error.message);
    throw error;
  });
  const secret = needs.snapshot !== undefined && !(caller && caller.role) ? await signingSecret() : undefined;
  const decision = decide(caller, needed, needs, { config, headers: request.headers, secret, address: caller?.address });
  if (!decision.ok) throw new ApiError(decision.status, decision.code, decision.message);
  return { caller: decision.caller, share: decision.share };
}

const holder = globalThis as typeof globalThis & { __tunnelscopeCollectLimit?: RateLimiter };

/** Collections per person per minute; a 429 with Retry-After beyond it. */
export function limitCollections(caller: Caller): void {
  holder.__tunnelscopeCollectLimit ??= new RateLimiter(collectPerMinute());
  const limiter = holder.__tunnelscopeCollectLimit;
  const admission = limiter.take(caller.user);
  if (!admission.ok) {
    const seconds = admission.retryAfterSeconds;
    throw new ApiError(429, 'rate_limited', `${caller.user} started too many collections; try again in ${seconds} s (TUNNELSCOPE_COLLECT_PER_MINUTE).`, undefined, seconds);
  }
}
