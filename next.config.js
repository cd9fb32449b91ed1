/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and server-only modules stay outside the bundle.
  serverExternalPackages: ['better-sqlite3', 'pg', '@kubernetes/client-node', 'ssh2'],
  // forbidden() and unauthorized(): pages answer 403 and 401 (with a sign-in form) like the API does.
  experimental: { authInterrupts: true },
};

export default nextConfig;
