/**
 * The one decision every route and page asks for: may this request do what needs `needed`? Share links stand in
 * for a viewer of their one snapshot; collection is refused for everyone on a read-only server.
 */
import type { AuthConfig } from './config';
import { cookie, type Caller, type HeaderReader } from './identity';
import { allows, type Role } from './roles';
import { verifyShare, type ShareClaims } from './signed';

export interface AccessNeeds {
  /** The snapshot the request reads, which a share link for it may open. */
  snapshot?: string;
  /** The request runs collectors (a capture from a source, the live view): refused on a read-only server. */
  collects?: boolean;
  /** A share token given with the request itself (a page's ?share=). */
  share?: string;
}

export type Denial = { status: 401 | 403; code: 'unauthenticated' | 'forbidden' | 'read_only'; message: string };
export type Decision = { ok: true; caller: Caller; share?: ShareClaims } | ({ ok: false } & Denial);

/** Share links travel as ?share= on the page and then as this cookie, so the page's own API reads carry them. */
export function shareCookieName(snapshot: string): string {
  return `tunnelscope_share_${snapshot}`;
}

export const MAX_SHARE_DAYS = 30;

/** A page's ?share= values as the page reads them: one value, of a sane length, or none. */
export function pageShare(values: readonly string[]): string | undefined {
  return values.length === 1 && values[0].length <= 4096 ? values[0] : undefined;
}

function shareCaller(address: string | undefined): Caller {
  const caller: Caller = { user: 'share-link', groups: [], role: 'viewer', via: 'share' };
  return address === undefined ? caller : { ...caller, address };
}

export function decide(caller: Caller | null, needed: Role, needs: AccessNeeds, context: { config: AuthConfig; headers: HeaderReader; secret?: string; address?: string; now?: number }): Decision {
  if (needs.collects && context.config.readOnly) {
    return { ok: false, status: 403, code: 'read_only', message: 'This server is read-only (TUNNELSCOPE_READ_ONLY): it does not collect. Upload a capture instead, or use a server that collects.' };
  }
  if (caller && allows(caller.role, needed)) return { ok: true, caller };
  if (needed === 'viewer' && needs.snapshot !== undefined && context.secret !== undefined) {
    const token = needs.share ?? cookie(context.headers, shareCookieName(needs.snapshot));
    const claims = token ? verifyShare(context.secret, token, needs.snapshot, context.now) : null;
    if (claims) return { ok: true, caller: shareCaller(context.address), share: claims };
  }
  if (!caller) return { ok: false, status: 401, code: 'unauthenticated', message: 'Sign in first: send Authorization: Bearer <token>, or open /login in a browser.' };
  const held = caller.role ? `the ${caller.role} role` : 'no role';
  return {
    ok: false,
    status: 403,
    code: 'forbidden',
    message: `${caller.user} has ${held}; this needs ${needed}. Ask an admin to add one of your groups to TUNNELSCOPE_${needed.toUpperCase()}_GROUPS.`,
  };
}
