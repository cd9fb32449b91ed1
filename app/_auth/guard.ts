import { headers } from 'next/headers';
import { forbidden, unauthorized } from 'next/navigation';
import { decide, pageShare, type AccessNeeds } from '@/lib/auth/access';
import type { Role } from '@/lib/auth/roles';
import { authConfig, callerOf, signingSecret } from '@/lib/auth/server';
import type { Caller } from '@/lib/auth/identity';
import type { ShareClaims } from '@/lib/auth/signed';

/**
 * The first line of every page: the same decision as the API's, answered with the 401 page (a sign-in form) or
 * the 403 page. Reading the request's headers also keeps the page from being prerendered for everyone.
 */
export async function guardPage(needed: Role, needs: AccessNeeds = {}): Promise<{ caller: Caller; share?: ShareClaims }> {
  const requestHeaders = await headers();
  const config = authConfig();
  const caller = await callerOf(requestHeaders);
  const secret = needs.snapshot !== undefined && !(caller && caller.role) ? await signingSecret() : undefined;
  const decision = decide(caller, needed, needs, { config, headers: requestHeaders, secret, address: caller?.address });
  if (decision.ok) return { caller: decision.caller, share: decision.share };
  if (decision.status === 401) unauthorized();
  forbidden();
}

/** A page's ?share= value, if it has one. */
export function shareParam(search: Record<string, string | string[] | undefined>): string | undefined {
  const share = search.share;
  return pageShare(share === undefined ? [] : typeof share === 'string' ? [share] : share);
}
