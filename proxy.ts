import { NextResponse, type NextRequest } from 'next/server';
import { framingHeaders } from '@/lib/export/framing';

/** Framing policy on every page: embeds from TUNNELSCOPE_EMBED_ORIGINS (default 'self'), the rest never. */
export function proxy(request: NextRequest): NextResponse {
  const response = NextResponse.next();
  const headers = framingHeaders(request.nextUrl.pathname, process.env.TUNNELSCOPE_EMBED_ORIGINS);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
