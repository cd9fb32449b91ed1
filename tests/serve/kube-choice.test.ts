/** A dashboard request's cluster choice becomes capture options: SSH settings named in the request, the rest the server's. */
import { describe, expect, it } from 'vitest';
import { podVmSshFromEnv, requestedPodVmSsh } from '@/lib/kube/ssh-settings';
import { kubeChoice, kubeChoiceQuery, kubeOptions } from '@/lib/serve/kube-choice';
import { liveSearch, type KubeChoice } from '@/components/queries';

const SERVER_ENV: NodeJS.ProcessEnv = {
  NODE_ENV: 'test',
  TUNNELSCOPE_POD_VM_SSH_KEY: '/etc/tunnelscope/id_ed25519',
  TUNNELSCOPE_POD_VM_KNOWN_HOSTS: '/etc/tunnelscope/known_hosts',
  TUNNELSCOPE_POD_VM_SSH_USER: 'peerpod',
  TUNNELSCOPE_POD_VM_SSH_PORT: '2222',
};

describe('SSH choices from a request', () => {
  it("keep the server's port and user as defaults, and never its key or known_hosts files", () => {
    expect(requestedPodVmSsh({ keySecret: 'tunnelscope/key', knownHostsConfigMap: 'tunnelscope/known-hosts' }, SERVER_ENV)).toEqual({
      keySecret: 'tunnelscope/key',
      knownHostsConfigMap: 'tunnelscope/known-hosts',
      user: 'peerpod',
      port: 2222,
      skipHostKeyCheck: false,
    });
    expect(requestedPodVmSsh({ keySecret: 'tunnelscope/key', user: 'root', skipHostKeyCheck: true }, { NODE_ENV: 'test' })).toEqual({
      keySecret: 'tunnelscope/key',
      user: 'root',
      skipHostKeyCheck: true,
    });
  });

  it("leave the server's own settings, a ConfigMap among them, to apply when the request names none", () => {
    const parsed = kubeChoice.parse({ podVms: true });
    expect(kubeOptions(parsed).podVmSsh).toBeUndefined();
    expect(podVmSshFromEnv({ NODE_ENV: 'test', TUNNELSCOPE_POD_VM_SSH_SECRET: 'tunnelscope/key', TUNNELSCOPE_POD_VM_KNOWN_HOSTS_CONFIGMAP: 'tunnelscope/known-hosts' })).toEqual({
      keySecret: 'tunnelscope/key',
      knownHostsFile: undefined,
      knownHostsConfigMap: 'tunnelscope/known-hosts',
      user: undefined,
      skipHostKeyCheck: false,
    });
  });

  it('pass a validated choice on as options for the kube source', () => {
    const parsed = kubeChoice.parse({ podVms: true, podVmSsh: { keySecret: 'tunnelscope/tunnelscope-pod-vm-ssh', knownHostsConfigMap: 'tunnelscope/tunnelscope-pod-vm-known-hosts' } });
    expect(kubeOptions(parsed, { user: 'alice', groups: ['sre'] })).toMatchObject({
      podVms: true,
      podVmSsh: { keySecret: 'tunnelscope/tunnelscope-pod-vm-ssh', knownHostsConfigMap: 'tunnelscope/tunnelscope-pod-vm-known-hosts' },
      impersonate: { user: 'alice' },
    });
  });
});

describe('a cluster choice in a query string', () => {
  const choice: KubeChoice = {
    context: 'lab',
    mode: 'debug',
    podVms: true,
    nodes: ['worker-1', 'worker-2'],
    podVmSsh: { keySecret: 'tunnelscope/pod-vm-ssh', knownHostsConfigMap: 'tunnelscope/pod-vm-known-hosts', user: 'peerpod' },
  };

  it('is what a JSON body of the same choice is, through the link the dashboard writes for it', () => {
    const query = Object.fromEntries(new URLSearchParams(liveSearch('kube', choice)));
    expect(query).toMatchObject({ 'podVmSsh.keySecret': 'tunnelscope/pod-vm-ssh', 'podVmSsh.user': 'peerpod' });
    expect(kubeChoiceQuery.parse(query)).toEqual(kubeChoice.parse(choice));
    const unchecked: KubeChoice = { podVms: true, podVmSsh: { keySecret: 'tunnelscope/pod-vm-ssh', skipHostKeyCheck: true } };
    expect(kubeChoiceQuery.parse(Object.fromEntries(new URLSearchParams(liveSearch('kube', unchecked))))).toEqual(kubeChoice.parse(unchecked));
  });

  it("leaves out parameters that are not the choice's, but refuses an SSH field the body would refuse", () => {
    expect(kubeChoiceQuery.parse({ source: 'kube', podVms: '0', refresh: '3' })).toEqual({ podVms: false });
    const refused = kubeChoiceQuery.safeParse({ podVms: '1', 'podVmSsh.keySecret': 'tunnelscope/pod-vm-ssh', 'podVmSsh.keyFile': '/root/.ssh/id_ed25519' });
    expect(refused.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['podVmSsh', "Unrecognized key(s) in object: 'keyFile'"]]);
    expect(kubeChoiceQuery.safeParse({ podVms: 'yes' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['podVms']);
  });
});
