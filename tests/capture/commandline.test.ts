import { describe, expect, it } from 'vitest';
import { interpretLine, recognizeCommand } from '@/lib/capture/paste/commandline';

describe('recognizeCommand', () => {
  const cases: [string, string, 'json' | 'text', Record<string, string> | undefined][] = [
    ['ip a', 'ip-addr', 'text', undefined],
    ['ip addr', 'ip-addr', 'text', undefined],
    ['ip -d li sh', 'ip-link', 'text', undefined],
    ['ip -d link show', 'ip-link', 'text', undefined],
    ['ip l', 'ip-link', 'text', undefined],
    ['ip -j -d -s -s link show', 'ip-link', 'json', undefined],
    ['ip link show dev eth0', 'ip-link', 'text', { dev: 'eth0' }],
    ['ip r', 'ip-route', 'text', undefined],
    ['ip route show table all', 'ip-route', 'text', { table: 'all' }],
    ['ip -6 r', 'ip6-route', 'text', undefined],
    ['ip -j route show table all', 'ip-route', 'json', { table: 'all' }],
    ['ip route show 10.244.1.0/24', 'ip-route', 'text', { to: '10.244.1.0/24' }],
    ['ip a show br-ex', 'ip-addr', 'text', { dev: 'br-ex' }],
    ['ip neigh show 10.129.2.17', 'ip-neigh', 'text', { to: '10.129.2.17' }],
    ['ip neigh show dev ovn-k8s-mp0', 'ip-neigh', 'text', { dev: 'ovn-k8s-mp0' }],
    ['ip n', 'ip-neigh', 'text', undefined],
    ['ip neigh', 'ip-neigh', 'text', undefined],
    ['ip route get 10.128.2.5', 'ip-route-get', 'text', { dst: '10.128.2.5' }],
    ['ip -j netns list-id', 'netns-list-id', 'json', undefined],
    ['arp -n', 'arp', 'text', { style: 'n' }],
    ['arp -a', 'arp', 'text', { style: 'a' }],
    ['tc qdisc show', 'tc-qdisc', 'text', undefined],
    ['tc filter show dev eth0 ingress', 'tc-filter', 'text', { dev: 'eth0', hook: 'ingress' }],
    ['tc filter show dev eth0 parent ffff:', 'tc-filter', 'text', { dev: 'eth0', hook: 'ingress' }],
    ['tc -j filter show dev vxlan1 egress', 'tc-filter', 'json', { dev: 'vxlan1', hook: 'egress' }],
    ['bridge fdb show', 'bridge-fdb', 'text', undefined],
    ['ovs-vsctl show', 'ovs-show', 'text', undefined],
    ['ovs-vsctl -f json list Interface', 'ovs-interface', 'json', undefined],
    ['ovs-vsctl --format=json list bridge', 'ovs-bridge', 'json', undefined],
    ['ovs-vsctl list interface', 'ovs-interface', 'text', undefined],
    ['ovs-ofctl dump-ports br-int', 'ovs-ofctl-dump-ports', 'text', { bridge: 'br-int' }],
    ['ovn-nbctl --db=ssl:10.0.0.1:9641 -f json list Logical_Switch_Port', 'ovn-lsp', 'json', undefined],
    ['iptables -S', 'iptables-rules', 'text', undefined],
    ['iptables -t raw -S', 'iptables-rules', 'text', { table: 'raw' }],
    ['iptables-save', 'iptables-tables', 'text', undefined],
    ['iptables-save -t raw', 'iptables-raw', 'text', undefined],
    ['sysctl net.ipv4.ip_forward', 'sysctl', 'text', undefined],
    ['cat /run/peerpod/podnetwork.json', 'peerpod-config', 'json', undefined],
    ['bpftool net show', 'bpftool-net', 'text', undefined],
    ['bpftool -j net show', 'bpftool-net', 'json', undefined],
    ['conntrack -S', 'conntrack-stats', 'text', undefined],
    ['hostname', 'hostname', 'text', undefined],
  ];
  it.each(cases)('reads "%s" as %s (%s)', (line, id, format, params) => {
    const got = recognizeCommand(line);
    expect(got?.id).toBe(id);
    expect(got?.format).toBe(format);
    expect(got?.params).toEqual(params);
    expect(got?.netns).toBeUndefined();
  });

  it('strips sudo and ip netns exec and reports the namespace with the inner argv', () => {
    expect(recognizeCommand('sudo ip netns exec c16c7a01-aa ip -d link show')).toEqual({
      id: 'ip-link',
      format: 'text',
      netns: 'c16c7a01-aa',
      argv: ['ip', '-d', 'link', 'show'],
    });
  });

  it('reads ip -n NS as running inside NS and drops the option from argv', () => {
    expect(recognizeCommand('ip -n podns -j addr show')).toMatchObject({ id: 'ip-addr', format: 'json', netns: 'podns', argv: ['ip', '-j', 'addr', 'show'] });
  });

  it('reads nsenter --net=/run/netns/NS and nsenter -t 1 -n (the host root namespace)', () => {
    expect(recognizeCommand('nsenter --net=/run/netns/podns -- ip r')).toMatchObject({ id: 'ip-route', netns: 'podns' });
    expect(recognizeCommand('nsenter -t 1 -n ip a')?.netns).toBeUndefined();
    expect(recognizeCommand('nsenter -t 4242 -n ip a')?.netns).toBe('pid:4242');
  });

  it('expands $NS and ${NS} from earlier assignments', () => {
    expect(recognizeCommand('ip netns exec $NS ip a', { NS: 'abc' })?.netns).toBe('abc');
    expect(recognizeCommand('ip -n "${NS}" r', { NS: 'abc' })?.netns).toBe('abc');
    expect(recognizeCommand('NS=xyz; ip netns exec $NS ip a')?.netns).toBe('xyz');
  });

  it('returns null for unset variables, pipes, writes and unknown tools', () => {
    expect(recognizeCommand('ip netns exec $NS ip a')).toBeNull();
    expect(recognizeCommand("ip a | awk '{print $2}'")).toBeNull();
    expect(recognizeCommand('ip link set eth0 down')).toBeNull();
    expect(recognizeCommand('sysctl -w net.ipv4.ip_forward=1')).toBeNull();
    expect(recognizeCommand('ls -l')).toBeNull();
  });

  it('keeps an untrusted namespace name as one argv element', () => {
    const got = recognizeCommand(`ip netns exec 'a b;rm -rf /' ip a`);
    expect(got?.netns).toBe('a b;rm -rf /');
    expect(got?.argv).toEqual(['ip', 'a']);
  });
});

describe('interpretLine', () => {
  it('reads assignments, namespace shells and host changes', () => {
    expect(interpretLine('export NS=abc')).toEqual({ kind: 'assign', assignments: { NS: 'abc' } });
    expect(interpretLine('ip netns exec podns bash')).toMatchObject({ kind: 'enter', netns: 'podns' });
    expect(interpretLine('oc debug node/worker-2')).toMatchObject({ kind: 'host', host: 'worker-2' });
    expect(interpretLine("ip a | cut -d' ' -f2").kind).toBe('unknown');
  });

  it('reads grep on ip addr/link as a partial listing of the lines that begin a record, and a quoted line without `show`', () => {
    // A kept `inet` or `link/ether` line may belong to a device whose header grep dropped: only headers are read.
    expect(interpretLine('ip a | grep inet')).toMatchObject({ kind: 'command', command: { id: 'ip-addr', recordStartsOnly: true, partial: expect.stringContaining('first lines') } });
    expect(interpretLine('ip route | grep 10.244')).not.toHaveProperty('command.recordStartsOnly');
    expect(interpretLine('ip l dev ens8 |grep mtu')).toMatchObject({
      kind: 'command',
      command: { id: 'ip-link', params: { dev: 'ens8' }, recordStartsOnly: true, note: expect.stringContaining('ip link show dev ens8') },
    });
    expect(interpretLine('ip a dev eth0')).toMatchObject({ kind: 'command', command: { id: 'ip-addr', params: { dev: 'eth0' } } });
    expect(interpretLine('ip link delete eth0').kind).toBe('unknown');
    expect(interpretLine('ip route dev eth0').kind).toBe('unknown');
  });

  it('takes a listing through head, tail or grep as partial where the filter kept whole records', () => {
    expect(interpretLine('ip a | head -20')).toMatchObject({ kind: 'command', command: { id: 'ip-addr', partial: expect.stringContaining('head') } });
    expect(interpretLine('ip route | grep 10.244')).toMatchObject({ kind: 'command', command: { id: 'ip-route', partial: expect.stringContaining('grep') } });
    expect(interpretLine('ip -d link show | grep -A2 vxlan')).toMatchObject({ kind: 'command', command: { id: 'ip-link', partial: expect.any(String) } });
    expect(interpretLine('ip -j a | jq .')).toMatchObject({ kind: 'command', command: { id: 'ip-addr', format: 'json' } });
    expect(interpretLine('ip -j a | jq .').kind === 'command' && interpretLine('ip -j a | jq .')).not.toHaveProperty('command.partial');
    expect(interpretLine("ip neigh | awk '{print $1}'")).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('awk') });
    expect(interpretLine('ip route | grep -c dev').kind).toBe('unknown');
  });

  it('reads kubectl/oc exec (and aliases), kubectl ko, oc debug -- chroot, docker/crictl exec and sh -c', () => {
    expect(interpretLine('kubectl exec -it web-6d4f -n shop -c app -- ip a')).toMatchObject({ kind: 'command', command: { id: 'ip-addr', host: 'web-6d4f' } });
    expect(interpretLine('k -n kube-system exec ds-x7 -- ip -d link show')).toMatchObject({ kind: 'command', command: { id: 'ip-link', host: 'ds-x7' } });
    expect(interpretLine('oc exec pod/p1 -- sh -c "ip route show"')).toMatchObject({ kind: 'command', command: { id: 'ip-route', host: 'p1' } });
    expect(interpretLine('kubectl exec p2 ip neigh')).toMatchObject({ kind: 'command', command: { id: 'ip-neigh', host: 'p2' } });
    expect(interpretLine('kubectl exec -it p3 -- sh')).toMatchObject({ kind: 'host', host: 'p3' });
    expect(interpretLine('kubectl ko vsctl node-b show')).toMatchObject({ kind: 'command', command: { id: 'ovs-show', host: 'node-b', argv: ['ovs-vsctl', 'show'] } });
    expect(interpretLine('kubectl ko nbctl list Logical_Switch_Port')).toMatchObject({ kind: 'command', command: { id: 'ovn-lsp' } });
    expect(interpretLine('kubectl ko trace default/p1 10.0.0.1 icmp').kind).toBe('unknown');
    expect(interpretLine('oc debug node/w-3 -- chroot /host ip -d link')).toMatchObject({ kind: 'command', command: { id: 'ip-link', host: 'w-3' } });
    expect(interpretLine('sudo docker exec -it c0ffee ip r')).toMatchObject({ kind: 'command', command: { id: 'ip-route', netns: 'container:c0ffee' } });
    expect(interpretLine('crictl exec -i 4b1d ip neigh show')).toMatchObject({ kind: 'command', command: { id: 'ip-neigh', netns: 'container:4b1d' } });
    expect(interpretLine('sudo nsenter -t 4242 -n ip a')).toMatchObject({ kind: 'command', command: { id: 'ip-addr', netns: 'pid:4242' } });
    expect(interpretLine('kubectl get pods -o wide').kind).toBe('unknown');
  });

  it('reads net-tools route -n and netstat -rn, not route add', () => {
    expect(interpretLine('route -n')).toMatchObject({ kind: 'command', command: { id: 'route-n' } });
    expect(interpretLine('netstat -rn')).toMatchObject({ kind: 'command', command: { id: 'route-n' } });
    expect(interpretLine('route add default gw 10.0.0.1').kind).toBe('unknown');
  });
});
