/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and server-only modules stay outside the bundle.
  serverExternalPackages: ['better-sqlite3', 'pg', '@kubernetes/client-node', 'ssh2'],
  // forbidden() and unauthorized(): pages answer 403 and 401 (with a sign-in form) like the API does.
  experimental: { authInterrupts: true },
  // proxy.ts sets it on pages and routes; here it reaches the static files and icons too, which proxy.ts skips. A kept
  // page's policy allows scripts from 'self' (lib/auth/framing.ts): nosniff keeps that to what is served as JavaScript.
  async headers() {
    return [{ source: '/:path*', headers: [{ key: 'X-Content-Type-Options', value: 'nosniff' }] }];
  },
};

export default nextConfig;
