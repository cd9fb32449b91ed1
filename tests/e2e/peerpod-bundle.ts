/**
 * A capture bundle of the peer-pod MAC mismatch, shaped as `ip -j -d addr show` and `ip -j route show` print
 * it (iproute2 JSON field names), for the worker ocp-412-ovn-worker-1 and the pod VM podvm-nginx-priv-8b726648.
 * Addresses and MACs are those of the incident: pod eth0 0a:58:0a:84:02:2e / 10.132.2.46, pod VM vxlan0
 * 7e:e5:f7:e6:f5:1a carrying the same IP.
 */
import { BUNDLE_FORMAT, BUNDLE_VERSION, type CaptureBundle, type CommandRecord, type NamespaceCapture } from '@/lib/capture/types';

export const WORKER = 'ocp-412-ovn-worker-1';
export const PODVM = 'podvm-nginx-priv-8b726648';
export const POD_NETNS = 'c16c7a01-3f0e-4b8e-9d55-5c2b1e7d0a11';
export const POD_MAC = '0a:58:0a:84:02:2e';
export const VM_MAC = '7e:e5:f7:e6:f5:1a';
export const POD_IP = '10.132.2.46';
export const VXLAN0_ID = `host:${PODVM}/ns:podns/if:vxlan0`;

interface Link {
  ifindex: number;
  ifname: string;
  address: string;
  mtu?: number;
  kind?: string;
  addr?: string;
  link_index?: number;
  link_netnsid?: number;
  info_data?: Record<string, unknown>;
  operstate?: string;
}

function link(l: Link): Record<string, unknown> {
  const loopback = l.ifname === 'lo';
  const out: Record<string, unknown> = {
    ifindex: l.ifindex,
    ifname: l.ifname,
    flags: loopback ? ['LOOPBACK', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: l.mtu ?? (loopback ? 65536 : 1500),
    qdisc: 'noqueue',
    operstate: l.operstate ?? (loopback ? 'UNKNOWN' : 'UP'),
    group: 'default',
    link_type: loopback ? 'loopback' : 'ether',
    address: l.address,
    broadcast: loopback ? '00:00:00:00:00:00' : 'ff:ff:ff:ff:ff:ff',
  };
  if (l.link_index !== undefined) out.link_index = l.link_index;
  if (l.link_netnsid !== undefined) out.link_netnsid = l.link_netnsid;
  if (l.kind) out.linkinfo = { info_kind: l.kind, ...(l.info_data ? { info_data: l.info_data } : {}) };
  const [local, prefixlen] = (l.addr ?? (loopback ? '127.0.0.1/8' : '')).split('/');
  out.addr_info = local ? [{ family: 'inet', local, prefixlen: Number(prefixlen), scope: loopback ? 'host' : 'global', label: l.ifname }] : [];
  return out;
}

function record(id: CommandRecord['id'], argv: string[], value: unknown): CommandRecord {
  return { id, argv, stdout: JSON.stringify(value), stderr: '', exitCode: 0, durationMs: 3, status: 'ok', format: 'json' };
}

function namespace(netns: string | null, links: Link[], routes: Record<string, unknown>[]): NamespaceCapture {
  return {
    netns,
    commands: [record('ip-addr', ['ip', '-j', '-d', 'addr', 'show'], links.map(link)), record('ip-route', ['ip', '-j', 'route', 'show'], routes)],
  };
}

const lo: Link = { ifindex: 1, ifname: 'lo', address: '00:00:00:00:00:00' };

export function peerPodBundle(): CaptureBundle {
  const collectedAt = '2026-03-02T09:14:05.000Z';
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: collectedAt,
    source: { kind: 'upload', detail: 'e2e peer-pod MAC mismatch' },
    hosts: [
      {
        name: WORKER,
        role: 'worker',
        collectedAt,
        status: 'complete',
        namespaces: [
          namespace(
            null,
            [
              lo,
              { ifindex: 2, ifname: 'ens3', address: '52:54:00:f9:70:58', addr: '192.168.122.11/24' },
              { ifindex: 6, ifname: 'ovn-k8s-mp0', address: '0a:58:0a:84:02:02', mtu: 1400, kind: 'openvswitch', addr: '10.132.2.2/23', operstate: 'UNKNOWN' },
              { ifindex: 12, ifname: 'c16c7a01a1b2c3d', address: 'f2:11:7c:3a:9b:40', mtu: 1400, kind: 'veth', link_index: 2, link_netnsid: 3 },
            ],
            [
              { dst: 'default', gateway: '192.168.122.1', dev: 'ens3', flags: [] },
              { dst: '10.132.2.0/23', dev: 'ovn-k8s-mp0', protocol: 'kernel', scope: 'link', prefsrc: '10.132.2.2', flags: [] },
            ],
          ),
          namespace(
            POD_NETNS,
            [
              lo,
              { ifindex: 2, ifname: 'eth0', address: POD_MAC, mtu: 1400, kind: 'veth', link_index: 12, link_netnsid: 0, addr: `${POD_IP}/23` },
              {
                ifindex: 3,
                ifname: 'vxlan1',
                address: '7a:3c:91:0e:44:d2',
                mtu: 1450,
                kind: 'vxlan',
                info_data: { id: 555000, remote: '192.168.122.50', port: 4789, learning: true },
                operstate: 'UNKNOWN',
              },
            ],
            [
              { dst: 'default', gateway: '10.132.2.1', dev: 'eth0', flags: [] },
              { dst: '10.132.2.0/23', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: POD_IP, flags: [] },
            ],
          ),
        ],
      },
      {
        name: PODVM,
        role: 'podvm',
        collectedAt,
        status: 'complete',
        namespaces: [
          namespace(null, [lo, { ifindex: 2, ifname: 'ens4', address: '52:54:00:3d:81:a7', addr: '192.168.122.50/24' }], [{ dst: 'default', gateway: '192.168.122.1', dev: 'ens4', flags: [] }]),
          namespace(
            'podns',
            [
              lo,
              {
                ifindex: 3,
                ifname: 'vxlan0',
                address: VM_MAC,
                mtu: 1450,
                kind: 'vxlan',
                info_data: { id: 555000, remote: '192.168.122.11', port: 4789, learning: true },
                addr: `${POD_IP}/23`,
                operstate: 'UNKNOWN',
              },
            ],
            [{ dst: 'default', gateway: '10.132.2.1', dev: 'vxlan0', flags: [] }],
          ),
        ],
      },
    ],
  };
}
