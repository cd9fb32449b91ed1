/**
 * Who may put Tunnelscope in an iframe: embeds (/embed/<id>) only from configured origins, every other page
 * from nowhere. Used by proxy.ts for every response.
 */

/** An origin as CSP source expressions write it: scheme://host[:port], host may start with "*.". */
const ORIGIN = /^https?:\/\/(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$/;

/** Parses TUNNELSCOPE_EMBED_ORIGINS (space separated); anything that is not an origin or 'self' is dropped. */
export function embedAncestors(setting: string | undefined): string {
  const tokens = (setting ?? '').split(/\s+/).filter(Boolean);
  const allowed = tokens.filter((t) => t === "'self'" || ORIGIN.test(t));
  return allowed.length > 0 ? [...new Set(allowed)].join(' ') : "'self'";
}

export function isEmbedPath(pathname: string): boolean {
  return pathname === '/embed' || pathname.startsWith('/embed/');
}

export function framingHeaders(pathname: string, embedOrigins: string | undefined): Record<string, string> {
  if (isEmbedPath(pathname)) return { 'Content-Security-Policy': `frame-ancestors ${embedAncestors(embedOrigins)}` };
  return { 'Content-Security-Policy': "frame-ancestors 'none'", 'X-Frame-Options': 'DENY' };
}
