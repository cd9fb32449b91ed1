/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and server-only modules stay outside the bundle.
  serverExternalPackages: ['better-sqlite3', 'pg', '@kubernetes/client-node'],
};

export default nextConfig;
