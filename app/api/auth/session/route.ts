import { z } from 'zod';
import { audit } from '@/lib/auth/audit';
import { PEER_HEADER, SESSION_COOKIE } from '@/lib/auth/identity';
import { authConfig, callerOf, signingSecret } from '@/lib/auth/server';
import { signSession } from '@/lib/auth/signed';
import { readBody } from '../../_http/body';
import { ApiError } from '@/lib/serve/api-error';
import { SECURITY_HEADERS, withErrors } from '../../_http/errors';

export const dynamic = 'force-dynamic';

const SESSION_SECONDS = 12 * 3600;
const NO_STORE = { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' };

/**
 * Lax, not Strict: an incident link opened from a chat or a ticket (another site) must arrive signed in. Requests
 * that change anything are refused from other sites by proxy.ts, so Lax gives them nothing.
 */
function cookieHeader(request: Request, value: string, maxAge: number): string {
  const secure = new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
}

/** GET /api/auth/session: who this request is signed in as, with which role, in which mode. */
export async function GET(request: Request): Promise<Response> {
  return withErrors(async () => {
    const config = authConfig();
    const caller = await callerOf(request.headers);
    if (!caller) throw new ApiError(401, 'unauthenticated', `Not signed in (auth mode ${config.mode}).`);
    return Response.json({ user: caller.user, email: caller.email, groups: caller.groups, role: caller.role, mode: config.mode, readOnly: config.readOnly }, { headers: NO_STORE });
  });
}

const signIn = z.object({ token: z.string().trim().min(1).max(8192) }).strict();

/**
 * POST /api/auth/session {"token": "…"}: a browser signs in with a bearer token (token and kubernetes modes) and
 * gets a signed session cookie for 12 hours. The token itself is not kept.
 */
export async function POST(request: Request): Promise<Response> {
  return withErrors(async () => {
    const config = authConfig();
    if (config.mode !== 'token' && config.mode !== 'kubernetes') {
      throw new ApiError(400, 'bad_request', `Sign-in with a token is for the token and kubernetes modes; this server uses ${config.mode}.`);
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(await readBody(request, 16_384)));
    } catch {
      body = undefined;
    }
    const parsed = signIn.safeParse(body);
    if (!parsed.success) throw new ApiError(400, 'bad_request', 'Send {"token": "<your bearer token>"}.');
    const headers = new Headers({ authorization: `Bearer ${parsed.data.token}` });
    const peer = request.headers.get(PEER_HEADER);
    if (peer) headers.set(PEER_HEADER, peer);
    const caller = await callerOf(headers);
    if (!caller) throw new ApiError(401, 'unauthenticated', 'The token was not accepted.');
    if (!caller.role) throw new ApiError(403, 'forbidden', `${caller.user} has no role here; ask an admin to map one of your groups to a role.`);
    const exp = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
    const session = signSession(await signingSecret(), { user: caller.user, groups: caller.groups, role: caller.role, mode: config.mode, exp });
    await audit(caller, 'sign-in');
    return Response.json({ user: caller.user, role: caller.role }, { headers: { ...NO_STORE, 'Set-Cookie': cookieHeader(request, session, SESSION_SECONDS) } });
  });
}

/** DELETE /api/auth/session: signs the browser out. */
export function DELETE(request: Request): Response {
  return new Response(null, { status: 204, headers: { ...NO_STORE, 'Set-Cookie': cookieHeader(request, '', 0) } });
}
