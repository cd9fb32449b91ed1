/**
 * What the server does about access when it starts: reads the configuration (a wrong one stops the server with a
 * message), prints the mode, refuses mode none unless it listens on loopback only, and installs the peer-address
 * hook the proxy mode and the audit log rely on.
 */
import { AuthConfigError, authConfigFromEnv, describeAuth, type AuthConfig } from './config';
import { installPeerHeader } from './peer';

/** The address `next start|dev -H ADDRESS` listens on; without -H Next.js listens on every interface. */
export function listenAddress(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '-H' || arg === '--hostname') return argv[i + 1] ?? '0.0.0.0';
    if (arg.startsWith('--hostname=')) return arg.slice('--hostname='.length);
  }
  // The standalone server.js reads HOSTNAME.
  return env.HOSTNAME?.trim() || '0.0.0.0';
}

export function startAuth(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const host = listenAddress(argv, env);
  env.TUNNELSCOPE_HOST = host;
  let config: AuthConfig;
  try {
    config = authConfigFromEnv(env);
  } catch (error) {
    if (error instanceof AuthConfigError) {
      console.error(`tunnelscope: refusing to start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  installPeerHeader({ loopbackOnly: config.mode === 'none' });
  console.log(describeAuth(config));
  return config;
}
