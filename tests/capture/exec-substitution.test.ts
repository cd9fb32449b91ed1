import { describe, expect, it } from 'vitest';
import { interpretLine } from '@/lib/capture/paste/commandline';
import { parseTranscript } from '@/lib/capture/paste/transcript';

const IP_A = [
  '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
  '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
  '    inet 127.0.0.1/8 scope host lo',
  '3: eth0@if17: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1410 qdisc noqueue state UP group default',
  '    link/ether 0e:4d:91:2a:b7:60 brd ff:ff:ff:ff:ff:ff link-netnsid 0',
  '    inet 172.30.9.14/24 brd 172.30.9.255 scope global eth0',
];

describe('exec targets picked by a command substitution', () => {
  it('reads the command after kubectl exec $(…) and puts its output on a host named after the substitution', () => {
    const { hosts, problems } = parseTranscript(['$ kubectl exec -n shop $(kubectl get pod -n shop -l tier=cart -o name) -- ip a', ...IP_A].join('\n'));
    const host = hosts.find((h) => h.name.startsWith('from-kubectl-get-pod'));
    expect(host?.namespaces[0].commands.map((c) => c.id)).toEqual(['ip-addr']);
    expect(host?.namespaces[0].commands[0].stdout).toContain('0e:4d:91:2a:b7:60');
    expect(problems.some((p) => p.message.includes('is chosen when it runs'))).toBe(true);
    expect(problems.some((p) => p.message.startsWith('command not imported'))).toBe(false);
  });

  it('reads crictl exec $(crictl ps -q --name …) and backticks as a container on the current host', () => {
    const { hosts } = parseTranscript(['[root@edge-7 ~]# crictl exec `crictl ps -q --name cart` ip a', ...IP_A].join('\n'));
    expect(hosts.map((h) => h.name)).toEqual(['edge-7']);
    expect(hosts[0].namespaces.find((n) => n.commands.length > 0)?.netns).toBe('container:from-crictl-ps-q-name-cart');
    const dollar = interpretLine('crictl exec -it "$(crictl ps -q --name cart)" ip -d link');
    expect(dollar.kind === 'command' && dollar.command.netns).toBe('container:from-crictl-ps-q-name-cart');
  });

  it('still refuses a substitution where the command needs its value', () => {
    expect(interpretLine('ip netns exec $(ip netns | head -1) ip a').kind).toBe('unknown');
    expect(interpretLine('POD=$(kubectl get pod -o name); ip -n $POD link').kind).toBe('unknown');
    expect(interpretLine('kubectl exec $(kubectl get pod -o name -- ip a').kind).toBe('unknown');
  });
});
