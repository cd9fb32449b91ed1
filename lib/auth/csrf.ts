/**
 * Cross-site request refusal for state-changing methods: a browser says where a request comes from
 * (Sec-Fetch-Site, or in older browsers Origin); anything from another site is refused. Clients that send
 * neither (curl, the CLI) are not browsers and carry no victim's cookie, so they pass.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

export function crossSiteRefusal(method: string, headers: Headers): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const site = headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin' || site === 'none' ? null : `a ${site} ${method} request`;
  const origin = headers.get('origin');
  if (origin === null) return null;
  const host = headers.get('x-forwarded-host') ?? headers.get('host');
  return originHost(origin) === host ? null : `a ${method} request from ${origin.slice(0, 200)}`;
}
