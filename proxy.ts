import { NextResponse, type NextRequest } from 'next/server';
import { MAX_SHARE_DAYS, shareCookieName } from '@/lib/auth/access';
import { crossSiteRefusal } from '@/lib/auth/csrf';
import { framingHeaders, pageSecurityPolicy } from '@/lib/auth/framing';
import { isSnapshotId } from '@/lib/store/ids';

/** On every response: framing policy, no MIME sniffing, and no full URL (which may hold a share link) sent to other sites. */
function securityHeaders(pathname: string): Record<string, string> {
  return { ...framingHeaders(pathname, process.env.TUNNELSCOPE_EMBED_ORIGINS), 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin' };
}

/** /s/<id>?share=… and /embed/<id>?share=…: the page's own API reads then carry the link as a cookie. */
function shareCookie(request: NextRequest): string | null {
  const share = request.nextUrl.searchParams.get('share');
  const match = /^\/(?:s|embed)\/([^/]+)$/.exec(request.nextUrl.pathname);
  if (!share || !match || !isSnapshotId(match[1]) || share.length > 4096) return null;
  const secure = request.nextUrl.protocol === 'https:' ? '; Secure' : '';
  return `${shareCookieName(match[1])}=${encodeURIComponent(share)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${MAX_SHARE_DAYS * 86_400}${secure}`;
}

function isPage(pathname: string): boolean {
  return pathname !== '/api' && !pathname.startsWith('/api/');
}

/** Pages get a fresh nonce: Next.js reads it from the request's CSP header, the root layout from x-nonce. */
function withNonce(request: NextRequest, headers: Record<string, string>): NextResponse {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const policy = pageSecurityPolicy(request.nextUrl.pathname, process.env.TUNNELSCOPE_EMBED_ORIGINS, nonce, process.env.NODE_ENV === 'development');
  headers['Content-Security-Policy'] = policy;
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);
  return NextResponse.next({ request: { headers: requestHeaders } });
}

/**
 * Runs before every route and page: refuses cross-site state changes and sets the security headers. Who may do
 * what is decided in each route handler and page (lib/auth), where the database and the Kubernetes client are at hand.
 */
export function proxy(request: NextRequest): NextResponse {
  const refusal = crossSiteRefusal(request.method, request.headers);
  const headers = securityHeaders(request.nextUrl.pathname);
  if (refusal) {
    const body = { error: { code: 'forbidden', message: `Cross-site requests may not change anything here (${refusal}).` } };
    return NextResponse.json(body, { status: 403, headers: { ...headers, 'Cache-Control': 'no-store' } });
  }
  const response = isPage(request.nextUrl.pathname) ? withNonce(request, headers) : NextResponse.next();
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  const cookie = shareCookie(request);
  if (cookie) response.headers.append('Set-Cookie', cookie);
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
