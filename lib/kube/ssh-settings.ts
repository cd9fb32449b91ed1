/**
 * What SSH to pod VMs is told: where the key and known_hosts come from, the user and port. Kept apart from the SSH
 * client so the dashboard's request validation and the CLI's options name them without loading ssh2.
 */

export interface PodVmSshOptions {
  /** The private key: a file, or a Secret `NAMESPACE/NAME` (key `ssh-privatekey`, as in a kubernetes.io/ssh-auth Secret). */
  keyFile?: string;
  keySecret?: string;
  /** known_hosts: a file, or a ConfigMap `NAMESPACE/NAME` (key `known_hosts`); without either, the `known_hosts` key of the key's Secret. */
  knownHostsFile?: string;
  knownHostsConfigMap?: string;
  /** Connect without checking host keys. Recorded on every pod VM reached this way. */
  skipHostKeyCheck?: boolean;
  /** Default root, as the adaptor's debug images allow. */
  user?: string;
  port?: number;
}

function envPort(env: NodeJS.ProcessEnv): number | undefined {
  const port = Number(env.TUNNELSCOPE_POD_VM_SSH_PORT);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/**
 * The dashboard's SSH settings, from the server's environment (a request never names a key file or a path):
 * TUNNELSCOPE_POD_VM_SSH_KEY (a file) or TUNNELSCOPE_POD_VM_SSH_SECRET (NAMESPACE/NAME), TUNNELSCOPE_POD_VM_KNOWN_HOSTS
 * (a file) or TUNNELSCOPE_POD_VM_KNOWN_HOSTS_CONFIGMAP (NAMESPACE/NAME), TUNNELSCOPE_POD_VM_SSH_USER,
 * TUNNELSCOPE_POD_VM_SSH_PORT, and TUNNELSCOPE_POD_VM_SSH_NO_HOST_KEY_CHECK=1 to skip host key checks (recorded on
 * every VM reached so).
 */
export function podVmSshFromEnv(env: NodeJS.ProcessEnv = process.env): PodVmSshOptions | undefined {
  const keyFile = env.TUNNELSCOPE_POD_VM_SSH_KEY || undefined;
  const keySecret = env.TUNNELSCOPE_POD_VM_SSH_SECRET || undefined;
  if (!keyFile && !keySecret) return undefined;
  const port = envPort(env);
  const configMap = env.TUNNELSCOPE_POD_VM_KNOWN_HOSTS_CONFIGMAP || undefined;
  return {
    ...(keyFile ? { keyFile } : { keySecret }),
    knownHostsFile: env.TUNNELSCOPE_POD_VM_KNOWN_HOSTS || undefined,
    ...(configMap ? { knownHostsConfigMap: configMap } : {}),
    user: env.TUNNELSCOPE_POD_VM_SSH_USER || undefined,
    ...(port ? { port } : {}),
    skipHostKeyCheck: env.TUNNELSCOPE_POD_VM_SSH_NO_HOST_KEY_CHECK === '1',
  };
}

/**
 * A dashboard request's SSH choice, which names Secrets and ConfigMaps only: the port, and the user when the
 * request names none, stay the server's. Nothing else of the server's settings (its key or known_hosts files) is
 * mixed into a choice made in the browser.
 */
export function requestedPodVmSsh(requested: Pick<PodVmSshOptions, 'keySecret' | 'knownHostsConfigMap' | 'user' | 'skipHostKeyCheck'>, env: NodeJS.ProcessEnv = process.env): PodVmSshOptions {
  const port = envPort(env);
  const user = requested.user ?? (env.TUNNELSCOPE_POD_VM_SSH_USER || undefined);
  return {
    keySecret: requested.keySecret,
    ...(requested.knownHostsConfigMap ? { knownHostsConfigMap: requested.knownHostsConfigMap } : {}),
    ...(user ? { user } : {}),
    ...(port ? { port } : {}),
    skipHostKeyCheck: requested.skipHostKeyCheck === true,
  };
}
