/**
 * Pods whose MTU exceeds what leaves the node, read from pastes laid out as engineers post them: a flannel node's
 * `ip a` (the overlay known by its documented name, the uplink by its address), the pod's own namespace with a route
 * MTU that caps it, an `ip -d link` whose overlay has a name no CNI documents, and a node with no overlay at all.
 * Names, addresses and MTUs are our own, unlike the corpus pastes the rule was written for.
 */
import { describe, expect, it } from 'vitest';
import { importFiles } from '@/lib/capture/import';
import { analyze } from '@/lib/analyze';
import type { Finding } from '@/lib/diagnose/types';

const RULE = 'pod-mtu-exceeds-path';
const POD_NS = 'cni-5a1e0c77-3b9d-21f4-8c02-4d7e9a6b1f30';

function findings(text: string): Finding[] {
  const { bundle } = importFiles([{ name: 'paste.txt', content: text }]);
  return analyze(bundle).findings.filter((f) => f.rule === RULE);
}

function flannelNode(podMtu: number, tunnelMtu = 1450): string {
  return `[root@wk-7 ~]# ip a
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
2: enp1s0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000
    link/ether 52:54:00:6b:21:0e brd ff:ff:ff:ff:ff:ff
    inet 172.20.4.17/22 brd 172.20.7.255 scope global enp1s0
       valid_lft forever preferred_lft forever
3: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${tunnelMtu} qdisc noqueue state UNKNOWN group default
    link/ether 3e:91:0c:55:a2:17 brd ff:ff:ff:ff:ff:ff
    inet 10.88.3.0/32 scope global flannel.1
       valid_lft forever preferred_lft forever
4: cni0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${podMtu} qdisc noqueue state UP group default qlen 1000
    link/ether 6a:0d:7f:11:90:42 brd ff:ff:ff:ff:ff:ff
    inet 10.88.3.1/24 brd 10.88.3.255 scope global cni0
       valid_lft forever preferred_lft forever
7: veth5d02e1c4@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${podMtu} qdisc noqueue master cni0 state UP group default
    link/ether 2e:7b:43:9a:10:5c brd ff:ff:ff:ff:ff:ff link-netns ${POD_NS}
8: vethc81fa3b2@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${podMtu} qdisc noqueue master cni0 state UP group default
    link/ether 86:12:f0:3d:5e:a9 brd ff:ff:ff:ff:ff:ff link-netns cni-0b7d2e41-96fa-4c0e-b3a1-7f25c8d90e64
`;
}

/** The first pod's namespace: its end of the veth, and its routes (the cross-node one through the bridge's gateway). */
function podNamespace(defaultRoute: string): string {
  return `[root@wk-7 ~]# ip netns exec ${POD_NS} ip a
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
    link/ether 9a:4f:10:c2:7e:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0
    inet 10.88.3.5/24 brd 10.88.3.255 scope global eth0
       valid_lft forever preferred_lft forever
[root@wk-7 ~]# ip netns exec ${POD_NS} ip route
${defaultRoute}
10.88.3.0/24 dev eth0 proto kernel scope link src 10.88.3.5
`;
}

describe('pod-mtu-exceeds-path', () => {
  it('finds flannel pod veths above flannel.1, with the lowering commands for those devices and flannel as the durable fix', () => {
    const found = findings(flannelNode(1500));
    expect(found).toHaveLength(1);
    const [f] = found;
    expect(f.severity).toBe('warning');
    expect(f.title).toContain('flannel.1 MTU 1450');
    expect(f.title).toContain('wk-7');
    expect(f.fix).toEqual(expect.arrayContaining(['ip link set dev veth5d02e1c4 mtu 1450', 'ip link set dev vethc81fa3b2 mtu 1450']));
    expect(f.fix?.some((l) => l.startsWith(`ip netns exec ${POD_NS} ip link set dev '<pod interface>' mtu 1450`))).toBe(true);
    expect(f.fix?.at(-1)).toMatch(/^# durable: set flannel's MTU .* to 1450, restart the flannel agent on wk-7/);
    expect(f.fix?.join('\n')).not.toMatch(/cni0|enp1s0 mtu/);
  });

  it('is silent when the pods already have the tunnel MTU', () => {
    expect(findings(flannelNode(1450))).toEqual([]);
    expect(findings(flannelNode(1400, 1410))).toEqual([]);
  });

  it("reads the pod's own end when its namespace was captured, and accepts a route MTU that caps what the pod sends", () => {
    const open = findings(flannelNode(1500) + podNamespace('default via 10.88.3.1 dev eth0'));
    expect(open).toHaveLength(1);
    expect(open[0].fix).toContain(`ip netns exec ${POD_NS} ip link set dev eth0 mtu 1450`);
    expect(
      findings(
        flannelNode(1450).replace('mtu 1450 qdisc noqueue master cni0 state UP group default\n    link/ether 2e', 'mtu 1500 qdisc noqueue master cni0 state UP group default\n    link/ether 2e') +
          podNamespace('default via 10.88.3.1 dev eth0 mtu lock 1400'),
      ),
    ).toEqual([]);
    // A route MTU above the tunnel's caps nothing.
    expect(
      findings(
        flannelNode(1450).replace('mtu 1450 qdisc noqueue master cni0 state UP group default\n    link/ether 2e', 'mtu 1500 qdisc noqueue master cni0 state UP group default\n    link/ether 2e') +
          podNamespace('default via 10.88.3.1 dev eth0 mtu lock 1480'),
      ),
    ).toHaveLength(1);
  });

  it('knows an overlay by the kind ip -d prints, whatever its name, and names no CNI then', () => {
    const text = `$ ip -d link show
2: uplink0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 qdisc mq state UP mode DEFAULT group default qlen 1000
    link/ether 0c:42:a1:7e:33:50 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 9216
5: ovl-a: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 8900 qdisc noqueue state UNKNOWN mode DEFAULT group default
    link/ether b6:2c:71:0a:9e:44 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 65535
    vxlan id 42 local 192.0.2.10 dev uplink0 srcport 0 0 dstport 4789 nolearning ttl auto ageing 300
9: pod-3f2a@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 qdisc noqueue state UP mode DEFAULT group default
    link/ether f2:10:9b:44:61:0d brd ff:ff:ff:ff:ff:ff link-netns cni-8d41f0b2 promiscuity 0 minmtu 68 maxmtu 65535
    veth
$ ip route
default via 192.0.2.1 dev uplink0
10.30.0.0/16 dev ovl-a scope link
`;
    const [f] = findings(text);
    expect(f?.title).toContain('ovl-a MTU 8900');
    expect(f?.fix).toContain('ip link set dev pod-3f2a mtu 8900');
    expect(f?.fix?.at(-1)).toMatch(/^# durable: set the CNI's MTU setting to 8900/);
    expect(findings(text.replace('mtu 9000 qdisc noqueue', 'mtu 8900 qdisc noqueue'))).toEqual([]);
  });

  it('compares against the uplink where no overlay carries the pods, and leaves a bare @ifN uplink of a container node out', () => {
    const text = `root@edge-2:~# ip a | grep mtu
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
4: lxcb1e0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
6: lxc77a2@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
21: eth0@if22: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1380 qdisc noqueue state UP group default qlen 1000
root@edge-2:~# ip route
default via 198.51.100.1 dev eth0 proto dhcp
`;
    const [f] = findings(text);
    expect(f?.title).toBe('2 pod interfaces on edge-2 at MTU 1500 > eth0 MTU 1380');
    expect(f?.fix).toEqual(expect.arrayContaining(['ip link set dev lxcb1e0 mtu 1380', 'ip link set dev lxc77a2 mtu 1380']));
    expect(f?.fix?.join('\n')).not.toContain('dev eth0');
    expect(findings(text.replace(/mtu 1500/g, 'mtu 1380'))).toEqual([]);
    // Without the route the uplink is unknown: the lone @if22 end is still not taken for a pod's.
    const overlaid = text
      .replace(/root@edge-2:~# ip route\n.*\n/, '')
      .replace('4: lxcb1e0', '3: cilium_vxlan: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1330 qdisc noqueue state UNKNOWN group default\n4: lxcb1e0');
    expect(findings(overlaid).map((f) => f.title)).toEqual(['2 pod interfaces on edge-2 at MTU 1500 > cilium_vxlan MTU 1330']);
  });

  it("does not take a container node's own uplink (an @ifN end holding the node's address, here facing the pods' index) for a pod", () => {
    // docker0 holds an address too, so the address alone does not tell which device is the uplink.
    const node = (podMtu: number) => `root@kind-worker2:/# ip a
3: docker0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default
    link/ether 02:42:5e:0a:7c:19 brd ff:ff:ff:ff:ff:ff
    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0
       valid_lft forever preferred_lft forever
2: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN group default
    link/ether 1a:2b:3c:4d:5e:6f brd ff:ff:ff:ff:ff:ff
5: vethe01a@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${podMtu} qdisc noqueue state UP group default
    link/ether 0e:11:22:33:44:55 brd ff:ff:ff:ff:ff:ff link-netnsid 1
6: vethe02b@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${podMtu} qdisc noqueue state UP group default
    link/ether 0e:11:22:33:44:66 brd ff:ff:ff:ff:ff:ff link-netnsid 2
14: eth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
    link/ether 02:42:ac:12:00:03 brd ff:ff:ff:ff:ff:ff link-netnsid 0
    inet 172.18.0.3/16 brd 172.18.255.255 scope global eth0
       valid_lft forever preferred_lft forever
`;
    expect(findings(node(1450))).toEqual([]);
    expect(findings(node(1500)).map((f) => f.title)).toEqual(['2 pod interfaces on kind-worker2 at MTU 1500 > flannel.1 MTU 1450']);
  });

  it('is silent on healthy Calico IPIP, Cilium, OVN-Kubernetes and Antrea nodes, whose pods fit their tunnel and uplink', () => {
    const calicoIpip = `# ip -d link
2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000
    link/ether 06:5d:2e:81:0f:3a brd ff:ff:ff:ff:ff:ff
3: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
    link/ipip 0.0.0.0 brd 0.0.0.0 promiscuity 0 minmtu 0 maxmtu 0
    ipip any remote any local any ttl inherit nopmtudisc
7: calia41c0d9e2f5@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1480 qdisc noqueue state UP mode DEFAULT group default
    link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netns cni-2f1d6c0a-8e55-4b7f-a0c3-91e2d7b4f6a8
    veth
# ip route
default via 10.20.0.1 dev ens5 proto dhcp src 10.20.3.44 metric 100
10.36.18.64/26 via 10.20.1.9 dev tunl0 proto bird onlink
`;
    const cilium = `# ip a
2: ens4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1460 qdisc mq state UP group default qlen 1000
    link/ether 42:01:0a:80:00:1c brd ff:ff:ff:ff:ff:ff
    inet 10.128.0.28/32 scope global dynamic ens4
4: cilium_vxlan: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN group default qlen 1000
    link/ether 9e:3c:71:0d:2a:55 brd ff:ff:ff:ff:ff:ff
12: lxc5e21a0d94c1b@if11: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1460 qdisc noqueue state UP group default qlen 1000
    link/ether 1e:40:9b:7a:33:02 brd ff:ff:ff:ff:ff:ff link-netns cni-41d0e7aa-0c2f-6b31-9d5e-ff01c2a8e713
# ip route
default via 10.128.0.1 dev ens4 proto dhcp src 10.128.0.28 metric 100
`;
    const ovnk = `sh-5.1# ip a
4: genev_sys_6081: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 65000 qdisc noqueue master ovs-system state UNKNOWN group default qlen 1000
    link/ether 8a:50:12:9c:3e:70 brd ff:ff:ff:ff:ff:ff
5: br-ex: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN group default qlen 1000
    link/ether 52:54:00:a8:31:7c brd ff:ff:ff:ff:ff:ff
    inet 192.168.130.11/24 brd 192.168.130.255 scope global dynamic noprefixroute br-ex
31: 3f9b2c7e10a4d56@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue master ovs-system state UP group default
    link/ether 9a:8e:3d:11:c0:5a brd ff:ff:ff:ff:ff:ff link-netns 6d3a0f1e-8b2c-4e77-a9d1-0c5f2e7b4a91
sh-5.1# ip route
default via 192.168.130.1 dev br-ex proto dhcp src 192.168.130.11 metric 48
`;
    const antrea = `$ ip a
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000
    link/ether 00:15:5d:40:71:0b brd ff:ff:ff:ff:ff:ff
    inet 10.50.8.21/24 brd 10.50.8.255 scope global eth0
5: antrea-tun0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 65000 qdisc noqueue master ovs-system state UNKNOWN group default qlen 1000
    link/ether 5e:21:c4:0b:9f:13 brd ff:ff:ff:ff:ff:ff
9: coredns--1a2b3c@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue master ovs-system state UP group default
    link/ether 62:0e:4a:8d:71:c2 brd ff:ff:ff:ff:ff:ff link-netns cni-9e0b1c55-3a7d-f2e4-61b8-0d4c7a9e2f31
`;
    for (const paste of [calicoIpip, cilium, ovnk, antrea]) expect(findings(paste)).toEqual([]);
    // The same Calico node with its pods above tunl0 is found: the kind ipip makes tunl0 the overlay.
    const [ipipFinding, ...more] = findings(calicoIpip.replace('mtu 1480 qdisc noqueue state UP', 'mtu 1500 qdisc noqueue state UP'));
    expect(more).toEqual([]);
    expect(ipipFinding?.title).toMatch(/^1 pod interface on .+ at MTU 1500 > tunl0 MTU 1480$/);
  });
});
