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

/**
 * The policy of every page as rendered: scripts only carrying the request's nonce (Next.js puts it on its own
 * scripts; `strict-dynamic` lets those load the chunks), no plugins, no foreign form targets, and the framing rule
 * above. Styles stay inline-able: React and Cytoscape set style attributes.
 */
export function pageSecurityPolicy(pathname: string, embedOrigins: string | undefined, nonce: string, dev = false): string {
  const ancestors = isEmbedPath(pathname) ? embedAncestors(embedOrigins) : "'none'";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

/**
 * The policy of a kept page, whose HTML every viewer gets as it is (lib/serve/script-hashes.ts): `policy` with its
 * nonce and `strict-dynamic` replaced by the hashes of the page's inline scripts. Next.js's chunks, parser-inserted
 * `<script src>` without a nonce now, are then allowed by 'self', which `X-Content-Type-Options: nosniff` on every
 * response (proxy.ts) keeps to JavaScript. Undefined when `policy` is not a page policy with that nonce.
 */
export function hashedPagePolicy(policy: string, nonce: string, hashes: string[]): string | undefined {
  const nonced = ` 'nonce-${nonce}' 'strict-dynamic'`;
  const directives = policy.split('; ');
  const at = directives.findIndex((directive) => directive.startsWith('script-src ') && directive.includes(nonced));
  if (at === -1) return undefined;
  directives[at] = directives[at].replace(nonced, hashes.map((hash) => ` ${hash}`).join(''));
  return directives.join('; ');
}
