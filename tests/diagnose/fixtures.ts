/**
 * Healthy clusters in the four shapes Tunnelscope meets, each buildable with targeted overrides so a test can
 * break exactly one thing. Names and addresses follow the lab (reference/lab-recipe.md §5, §8) and the
 * OpenShift/flannel/Cilium outputs quoted in the fault catalog.
 */
import type { HostState, Interface } from '@/lib/parse/types';
import { bpfFilter, fdb, host, link, lo, lsp, neigh, ns, ovs, ovsInterface, redirect, route, type LinkSpec } from './builders';

export interface Overrides {
  /** Key "host/netns/ifname" (netns "-" for the root namespace) → fields to change. */
  links?: Record<string, Partial<LinkSpec>>;
  /** Keys of devices to leave out. */
  drop?: string[];
}

function maker(o: Overrides, hostName: string, netns: string | null) {
  return (spec: LinkSpec): Interface[] => {
    const key = `${hostName}/${netns ?? '-'}/${spec.name}`;
    if (o.drop?.includes(key)) return [];
    return [link({ ...spec, ...(o.links?.[key] ?? {}) })];
  };
}

export const POD_MAC = '0a:58:0a:84:02:2e';
export const BROKEN_VM_MAC = '7e:e5:f7:e6:f5:1a';

/** The lab's peer pod on an OVN worker with the userspace (netdev) datapath: internal ports are taps, no masters. */
export function peerPodOvnNetdev(o: Overrides = {}): HostState[] {
  const w = maker(o, 'worker', null);
  const wp = maker(o, 'worker', 'lv-wpod');
  const v = maker(o, 'podvm', null);
  const vp = maker(o, 'podvm', 'lv-vmpod');
  const tap = { kind: 'tun' };
  const worker = host(
    'worker',
    'worker',
    [
      ns(null, {
        netnsIds: [{ nsid: 0 }, { nsid: 1, name: 'lv-wpod' }],
        interfaces: [
          lo(),
          ...w({ ifindex: 3, name: 'eth0', kind: 'veth', mac: '02:11:22:33:44:63', linkIndex: 2, linkNetnsId: 0, addrs: ['192.168.10.163/24'] }),
          ...w({ ifindex: 4, name: 'ovs-netdev', ...tap, mac: '5e:1d:22:0a:11:01', flags: ['BROADCAST', 'MULTICAST', 'PROMISC'], operstate: 'DOWN' }),
          ...w({ ifindex: 5, name: 'br-int', ...tap, mac: '3a:5c:77:91:b2:10', flags: ['BROADCAST', 'MULTICAST', 'PROMISC'], operstate: 'DOWN' }),
          ...w({
            ifindex: 6,
            name: 'ovn-k8s-mp0',
            ...tap,
            mac: '0a:58:0a:84:02:02',
            mtu: 1400,
            flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
            operstate: 'UNKNOWN',
            addrs: ['10.132.2.2/23'],
          }),
          ...w({
            ifindex: 8,
            name: 'veth-pod46',
            kind: 'veth',
            mac: '56:78:f6:f4:01:3a',
            mtu: 1400,
            flags: ['BROADCAST', 'MULTICAST', 'PROMISC', 'UP', 'LOWER_UP'],
            linkIndex: 2,
            linkNetnsId: 1,
          }),
        ],
        routes: [
          route({ dst: 'default', via: '192.168.10.1', dev: 'eth0' }),
          route({ dst: '192.168.10.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '192.168.10.163' }),
          route({ dst: '10.132.2.0/23', dev: 'ovn-k8s-mp0', protocol: 'kernel', scope: 'link', prefsrc: '10.132.2.2' }),
        ],
        neighbors: [neigh('10.132.2.46', 'ovn-k8s-mp0', POD_MAC, 'REACHABLE'), neigh('192.168.10.201', 'eth0', '02:11:22:33:42:01', 'STALE')],
        sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.ovn-k8s-mp0.rp_filter': '2' },
      }),
      ns('lv-wpod', {
        netnsIds: [{ nsid: 0 }],
        interfaces: [
          lo(),
          ...wp({ ifindex: 2, name: 'eth0', kind: 'veth', mac: POD_MAC, mtu: 1400, linkIndex: 8, linkNetnsId: 0, addrs: ['10.132.2.46/23'] }),
          ...wp({
            ifindex: 7,
            name: 'vxlan1',
            kind: 'vxlan',
            mac: 'ca:1f:2d:42:32:b2',
            mtu: 1500,
            operstate: 'UNKNOWN',
            linkIndex: 7,
            linkNetnsId: 0,
            vxlan: { vni: 555005, remote: '192.168.10.201', port: 4789, learning: true },
          }),
        ],
        routes: [route({ dst: 'default', via: '10.132.2.1', dev: 'eth0' }), route({ dst: '10.132.2.0/23', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.132.2.46' })],
        tcFilters: [redirect('eth0', 'vxlan1'), redirect('vxlan1', 'eth0')],
      }),
    ],
    {
      ovs: ovs(
        [
          {
            name: 'br-int',
            datapathType: 'netdev',
            interfaces: [
              ovsInterface('br-int', 'internal', 65534),
              ovsInterface('ovn-k8s-mp0', 'internal', 1, { 'iface-id': 'k8s-worker' }),
              ovsInterface('veth-pod46', '', 2, { 'iface-id': 'default_peer-pod-46', 'ovn-installed': 'true', 'ovn-installed-ts': '1795589090009' }),
            ],
          },
        ],
        {
          'system-id': 'worker',
          hostname: 'worker',
          'ovn-encap-type': 'geneve',
          'ovn-encap-ip': '192.168.10.163',
          'ovn-bridge': 'br-int',
          'ovn-remote': 'unix:/run/ovn/ovnsb_db.sock',
        },
      ),
      ovnLogicalPorts: [lsp('k8s-worker', '0a:58:0a:84:02:02 10.132.2.2'), lsp('default_peer-pod-46', `${POD_MAC} 10.132.2.46`)],
    },
  );
  const podvm = host(
    'podvm',
    'podvm',
    [
      ns(null, {
        netnsIds: [{ nsid: 0, name: 'lv-vmpod' }],
        interfaces: [lo(), ...v({ ifindex: 2, name: 'eth0', kind: 'veth', mac: '02:11:22:33:42:01', linkIndex: 3, linkNetnsId: 1, addrs: ['192.168.10.201/24'] })],
        routes: [route({ dst: 'default', via: '192.168.10.1', dev: 'eth0' }), route({ dst: '192.168.10.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '192.168.10.201' })],
        neighbors: [neigh('192.168.10.163', 'eth0', '02:11:22:33:44:63', 'REACHABLE')],
      }),
      ns('lv-vmpod', {
        interfaces: [
          lo(),
          ...vp({
            ifindex: 3,
            name: 'vxlan0',
            kind: 'vxlan',
            mac: POD_MAC,
            mtu: 1400,
            operstate: 'UNKNOWN',
            addrs: ['10.132.2.46/23'],
            vxlan: { vni: 555005, remote: '192.168.10.163', port: 4789, learning: true },
          }),
        ],
        routes: [route({ dst: 'default', via: '10.132.2.1', dev: 'vxlan0' }), route({ dst: '10.132.2.0/23', dev: 'vxlan0', protocol: 'kernel', scope: 'link', prefsrc: '10.132.2.46' })],
        neighbors: [neigh('10.132.2.2', 'vxlan0', '0a:58:0a:84:02:02', 'REACHABLE')],
      }),
    ],
    { peerpodConfig: { podip: '10.132.2.46', 'pod-hw-addr': POD_MAC, 'vxlan-id': 555005, 'vxlan-port': 4789 } },
  );
  return [worker, podvm];
}

/** The incident: the pod VM's vxlan0 kept a random MAC. */
export function peerPodMacMismatch(): HostState[] {
  return peerPodOvnNetdev({ links: { 'podvm/lv-vmpod/vxlan0': { mac: BROKEN_VM_MAC } } });
}

/** OVN-Kubernetes on the kernel datapath (OpenShift 4.12 shape): ovs-system, br-ex holding the node IP. */
export function ovnKernel(o: Overrides = {}): HostState[] {
  const w = maker(o, 'ocp-worker-1', null);
  const p = maker(o, 'ocp-worker-1', 'c16c7a01-pod');
  const slave = { master: 'ovs-system', slaveKind: 'openvswitch' };
  const internal = { kind: 'openvswitch', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], operstate: 'UNKNOWN' };
  const worker = host(
    'ocp-worker-1',
    'worker',
    [
      ns(null, {
        netnsIds: [{ nsid: 0, name: 'c16c7a01-pod' }],
        interfaces: [
          lo(),
          ...w({ ifindex: 2, name: 'ens3', mac: '52:54:00:f9:70:58', ...slave }),
          ...w({ ifindex: 3, name: 'ovs-system', kind: 'openvswitch', mac: '6e:2f:0a:3b:41:9c', flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN' }),
          ...w({ ifindex: 4, name: 'br-ex', ...internal, mac: '52:54:00:f9:70:58', addrs: ['192.168.122.20/24', '169.254.169.2/29'] }),
          ...w({ ifindex: 5, name: 'br-int', kind: 'openvswitch', mac: 'b2:4e:c3:1d:77:0a', mtu: 1400, flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN' }),
          ...w({
            ifindex: 6,
            name: 'genev_sys_6081',
            kind: 'geneve',
            mac: 'da:11:9e:4c:02:7f',
            mtu: 65000,
            operstate: 'UNKNOWN',
            geneve: { external: true, port: 6081 },
            ...slave,
          }),
          ...w({ ifindex: 7, name: 'ovn-k8s-mp0', ...internal, mac: 'ee:cb:ed:8e:f9:e0', mtu: 1400, addrs: ['10.128.2.2/23'] }),
          ...w({ ifindex: 12, name: '8b2c4f1e0d9a7c3', kind: 'veth', mac: 'a6:3e:51:0c:9d:21', mtu: 1400, linkIndex: 3, linkNetnsId: 0, ...slave }),
        ],
        routes: [
          route({ dst: 'default', via: '192.168.122.1', dev: 'br-ex', protocol: 'dhcp', metric: 48 }),
          route({ dst: '10.128.0.0/14', via: '10.128.2.1', dev: 'ovn-k8s-mp0' }),
          route({ dst: '10.128.2.0/23', dev: 'ovn-k8s-mp0', protocol: 'kernel', scope: 'link', prefsrc: '10.128.2.2' }),
          route({ dst: '169.254.169.0/29', dev: 'br-ex', protocol: 'kernel', scope: 'link', prefsrc: '169.254.169.2' }),
          route({ dst: '172.30.0.0/16', via: '169.254.169.4', dev: 'br-ex', mtu: 1400 }),
          route({ dst: '192.168.122.0/24', dev: 'br-ex', protocol: 'kernel', scope: 'link', prefsrc: '192.168.122.20', metric: 48 }),
        ],
        neighbors: [
          neigh('10.128.2.1', 'ovn-k8s-mp0', '0a:58:0a:80:02:01', 'PERMANENT'),
          neigh('10.128.2.5', 'ovn-k8s-mp0', '0a:58:0a:80:02:05', 'STALE'),
          neigh('192.168.122.1', 'br-ex', '52:54:00:aa:bb:01', 'REACHABLE'),
        ],
        sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.ovn-k8s-mp0.rp_filter': '2' },
      }),
      ns('c16c7a01-pod', {
        netnsIds: [{ nsid: 0 }],
        interfaces: [lo(), ...p({ ifindex: 3, name: 'eth0', kind: 'veth', mac: '0a:58:0a:80:02:05', mtu: 1400, linkIndex: 12, linkNetnsId: 0, addrs: ['10.128.2.5/23'] })],
        routes: [
          route({ dst: 'default', via: '10.128.2.1', dev: 'eth0' }),
          route({ dst: '10.128.0.0/14', via: '10.128.2.1', dev: 'eth0' }),
          route({ dst: '10.128.2.0/23', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.128.2.5' }),
        ],
      }),
    ],
    {
      ovs: ovs(
        [
          {
            name: 'br-int',
            interfaces: [
              ovsInterface('br-int', 'internal', 65534),
              ovsInterface('ovn-k8s-mp0', 'internal', 2, { 'iface-id': 'k8s-ocp-worker-1' }),
              ovsInterface('8b2c4f1e0d9a7c3', '', 5, {
                'iface-id': 'demo_web-1',
                attached_mac: '0a:58:0a:80:02:05',
                ip_addresses: '10.128.2.5/23',
                'ovn-installed': 'true',
                sandbox: '4f1e0d9a',
              }),
              ovsInterface('ovn-9a1c2e-0', 'geneve', 3, {}, { options: { remote_ip: '192.168.122.21', csum: 'true' } }),
              ovsInterface('patch-br-int-to-br-ex_ocp-worker-1', 'patch', 4),
            ],
          },
          {
            name: 'br-ex',
            interfaces: [ovsInterface('br-ex', 'internal', 65534), ovsInterface('ens3', '', 1), ovsInterface('patch-br-ex_ocp-worker-1-to-br-int', 'patch', 2)],
          },
        ],
        {
          'system-id': '7a1e5b4c-2f0d-4c1e-9b7a-3d2e1f0a9c8b',
          'ovn-encap-type': 'geneve',
          'ovn-encap-ip': '192.168.122.20',
          'ovn-bridge-mappings': 'physnet:br-ex',
          'ovn-remote': 'ssl:192.168.122.10:9642',
        },
      ),
      ovnLogicalPorts: [lsp('demo_web-1', '0a:58:0a:80:02:05 10.128.2.5')],
    },
  );
  return [worker];
}

const FLANNEL = {
  'node-a': {
    ip: '192.168.1.10',
    subnet: '10.244.0',
    vtep: 'c2:7d:4e:90:1a:01',
    pod: '10.244.0.5',
    podMac: '3e:41:7a:0c:22:01',
    hostVeth: '9a:0e:11:33:20:01',
  },
  'node-b': {
    ip: '192.168.1.11',
    subnet: '10.244.1',
    vtep: 'c2:7d:4e:90:1a:02',
    pod: '10.244.1.7',
    podMac: '3e:41:7a:0c:22:02',
    hostVeth: '9a:0e:11:33:20:02',
  },
} as const;

type FlannelNode = keyof typeof FLANNEL;

function flannelNode(name: FlannelNode, other: FlannelNode, o: Overrides): HostState {
  const me = FLANNEL[name];
  const peer = FLANNEL[other];
  const podNs = `cni-${name}-1`;
  const r = maker(o, name, null);
  const p = maker(o, name, podNs);
  return host(name, 'worker', [
    ns(null, {
      netnsIds: [{ nsid: 0, name: podNs }],
      interfaces: [
        lo(),
        ...r({ ifindex: 2, name: 'eth0', mac: `52:54:00:12:01:${name === 'node-a' ? '0a' : '0b'}`, addrs: [`${me.ip}/24`] }),
        ...r({
          ifindex: 3,
          name: 'flannel.1',
          kind: 'vxlan',
          mac: me.vtep,
          mtu: 1450,
          operstate: 'UNKNOWN',
          addrs: [`${me.subnet}.0/32`],
          vxlan: { vni: 1, local: me.ip, dev: 'eth0', port: 8472, learning: false },
        }),
        ...r({ ifindex: 4, name: 'cni0', kind: 'bridge', mac: '8e:1f:22:3a:00:01', mtu: 1450, addrs: [`${me.subnet}.1/24`] }),
        ...r({
          ifindex: 5,
          name: 'veth3c1a7b2e',
          kind: 'veth',
          mac: me.hostVeth,
          mtu: 1450,
          master: 'cni0',
          slaveKind: 'bridge',
          linkIndex: 3,
          linkNetnsId: 0,
        }),
      ],
      routes: [
        route({ dst: 'default', via: '192.168.1.1', dev: 'eth0', protocol: 'dhcp', metric: 100 }),
        route({ dst: `${me.subnet}.0/24`, dev: 'cni0', protocol: 'kernel', scope: 'link', prefsrc: `${me.subnet}.1` }),
        route({ dst: `${peer.subnet}.0/24`, via: `${peer.subnet}.0`, dev: 'flannel.1', flags: ['onlink'] }),
        route({ dst: '192.168.1.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: me.ip }),
      ],
      neighbors: [
        neigh(`${peer.subnet}.0`, 'flannel.1', peer.vtep, 'PERMANENT'),
        neigh(me.pod, 'cni0', me.podMac, 'REACHABLE'),
        neigh(peer.ip, 'eth0', `52:54:00:12:01:${name === 'node-a' ? '0b' : '0a'}`, 'REACHABLE'),
      ],
      fdb: [fdb(peer.vtep, 'flannel.1', peer.ip)],
      firewall: [],
      sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '0' },
    }),
    ns(podNs, {
      netnsIds: [{ nsid: 0 }],
      interfaces: [lo(), ...p({ ifindex: 3, name: 'eth0', kind: 'veth', mac: me.podMac, mtu: 1450, linkIndex: 5, linkNetnsId: 0, addrs: [`${me.pod}/24`] })],
      routes: [
        route({ dst: 'default', via: `${me.subnet}.1`, dev: 'eth0' }),
        route({ dst: '10.244.0.0/16', via: `${me.subnet}.1`, dev: 'eth0' }),
        route({ dst: `${me.subnet}.0/24`, dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: me.pod }),
      ],
      neighbors: [neigh(`${me.subnet}.1`, 'eth0', '8e:1f:22:3a:00:01', 'REACHABLE')],
    }),
  ]);
}

/** Two flannel VXLAN nodes, each with one pod on cni0. */
export function flannel(o: Overrides = {}): HostState[] {
  return [flannelNode('node-a', 'node-b', o), flannelNode('node-b', 'node-a', o)];
}

/** Cilium in VXLAN tunnel mode: routed lxc veths with BPF programs, cilium_host/cilium_net in the root namespace. */
export function cilium(o: Overrides = {}): HostState[] {
  const r = maker(o, 'cilium-1', null);
  const p = maker(o, 'cilium-1', 'cni-7d2e');
  return [
    host('cilium-1', 'worker', [
      ns(null, {
        netnsIds: [{ nsid: 0, name: 'cni-7d2e' }],
        interfaces: [
          lo(),
          ...r({ ifindex: 2, name: 'eth0', mac: '52:54:00:77:10:10', addrs: ['10.0.0.10/24'] }),
          ...r({ ifindex: 3, name: 'cilium_net', kind: 'veth', mac: '6a:10:2c:41:00:01', link: 'cilium_host', linkIndex: 4 }),
          ...r({
            ifindex: 4,
            name: 'cilium_host',
            kind: 'veth',
            mac: '6a:10:2c:41:00:02',
            link: 'cilium_net',
            linkIndex: 3,
            addrs: ['10.0.1.75/32'],
            scope: 'link',
          }),
          ...r({ ifindex: 5, name: 'cilium_vxlan', kind: 'vxlan', mac: '9e:44:01:2b:c3:10', operstate: 'UNKNOWN', vxlan: { external: true, port: 8472 } }),
          ...r({ ifindex: 9, name: 'lxc8a3f2c1d', kind: 'veth', mac: '4e:90:1d:aa:10:09', linkIndex: 8, linkNetnsId: 0 }),
        ],
        routes: [
          route({ dst: 'default', via: '10.0.0.1', dev: 'eth0', protocol: 'dhcp', metric: 100 }),
          route({ dst: '10.0.0.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.0.0.10' }),
          route({ dst: '10.0.1.0/24', via: '10.0.1.75', dev: 'cilium_host', protocol: 'kernel', prefsrc: '10.0.1.75' }),
          route({ dst: '10.0.1.75', dev: 'cilium_host', protocol: 'kernel', scope: 'link' }),
          route({ dst: '10.0.2.0/24', via: '10.0.1.75', dev: 'cilium_host', prefsrc: '10.0.1.75', mtu: 1450 }),
        ],
        tcFilters: [bpfFilter('lxc8a3f2c1d', 'cil_from_container'), bpfFilter('cilium_vxlan', 'cil_from_overlay'), bpfFilter('eth0', 'cil_from_netdev')],
        sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.lxc8a3f2c1d.rp_filter': '0' },
      }),
      ns('cni-7d2e', {
        netnsIds: [{ nsid: 0 }],
        interfaces: [lo(), ...p({ ifindex: 8, name: 'eth0', kind: 'veth', mac: '2a:6c:11:0f:38:aa', linkIndex: 9, linkNetnsId: 0, addrs: ['10.0.1.20/32'] })],
        routes: [route({ dst: 'default', via: '10.0.1.75', dev: 'eth0', mtu: 1450 }), route({ dst: '10.0.1.75', dev: 'eth0', scope: 'link' })],
      }),
    ]),
  ];
}

export const HEALTHY: Record<string, () => HostState[]> = {
  'OVN netdev peer pod': () => peerPodOvnNetdev(),
  'OVN kernel datapath': () => ovnKernel(),
  flannel: () => flannel(),
  Cilium: () => cilium(),
};
