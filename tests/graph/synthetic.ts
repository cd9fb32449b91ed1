/** A synthetic cluster: N workers, each with br-int, an uplink and `podsPerHost` pod namespaces, tunnels in a ring. */
import type { Interface } from '@/lib/parse/types';
import type { TopoEdge, TopoNode, Topology } from '@/lib/topology/types';
import { edgeId, hostId, ifaceId, netnsId, ovsBridgeId } from '@/lib/topology/ids';

function iface(name: string, kind: string, mac: string, ip?: string): Interface {
  return {
    ifindex: 1,
    name,
    kind,
    mac,
    mtu: 1400,
    flags: ['UP', 'LOWER_UP'],
    up: true,
    lowerUp: true,
    operstate: 'UP',
    addresses: ip ? [{ family: 'inet', local: ip, prefixlen: 24 }] : [],
  };
}

export function syntheticTopology(hostCount: number, podsPerHost: number): Topology {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  for (let h = 0; h < hostCount; h++) {
    const host = `worker-${String(h).padStart(3, '0')}`;
    nodes.push({ id: hostId(host), kind: 'host', label: host, host, role: 'worker', marks: [] });
    const br = ovsBridgeId(host, 'br-int');
    nodes.push({ id: br, kind: 'ovs-bridge', label: 'br-int', parent: hostId(host), host, netns: null, marks: [] });
    const uplink = ifaceId(host, null, 'ens3');
    nodes.push({
      id: uplink,
      kind: 'interface',
      label: 'ens3',
      parent: hostId(host),
      host,
      netns: null,
      iface: iface('ens3', 'device', '52:54:00:00:00:01'),
      marks: [],
    });
    const tun = ifaceId(host, null, 'genev_sys_6081');
    nodes.push({
      id: tun,
      kind: 'interface',
      label: 'genev_sys_6081',
      parent: hostId(host),
      host,
      netns: null,
      iface: iface('genev_sys_6081', 'geneve', '52:54:00:00:00:02'),
      marks: [],
    });
    for (let p = 0; p < podsPerHost; p++) {
      const ns = `pod-${h}-${p}`;
      nodes.push({ id: netnsId(host, ns), kind: 'netns', label: ns, parent: hostId(host), host, netns: ns, marks: [] });
      const eth0 = ifaceId(host, ns, 'eth0');
      nodes.push({
        id: eth0,
        kind: 'interface',
        label: 'eth0',
        parent: netnsId(host, ns),
        host,
        netns: ns,
        iface: iface('eth0', 'veth', `0a:58:0a:00:${h % 256}:${p}`, `10.${h % 256}.${p}.10`),
        marks: [],
      });
      const lo = ifaceId(host, ns, 'lo');
      nodes.push({
        id: lo,
        kind: 'interface',
        label: 'lo',
        parent: netnsId(host, ns),
        host,
        netns: ns,
        iface: iface('lo', 'loopback', '00:00:00:00:00:00'),
        marks: [],
      });
      const peer = ifaceId(host, null, `veth${p}`);
      nodes.push({
        id: peer,
        kind: 'interface',
        label: `veth${p}`,
        parent: hostId(host),
        host,
        netns: null,
        iface: iface(`veth${p}`, 'veth', '02:00:00:00:00:00'),
        marks: [],
      });
      edges.push({ id: edgeId('veth', peer, eth0), kind: 'veth', source: peer, target: eth0, directed: false, marks: [] });
      edges.push({ id: edgeId('ovs-port', peer, br), kind: 'ovs-port', source: peer, target: br, directed: false, marks: [] });
    }
  }
  for (let h = 0; h < hostCount && hostCount > 1; h++) {
    const a = ifaceId(`worker-${String(h).padStart(3, '0')}`, null, 'genev_sys_6081');
    const b = ifaceId(`worker-${String((h + 1) % hostCount).padStart(3, '0')}`, null, 'genev_sys_6081');
    edges.push({
      id: edgeId('tunnel', a, b),
      kind: 'tunnel',
      source: a,
      target: b,
      directed: false,
      vni: 1000 + h,
      port: 6081,
      label: `VNI ${1000 + h}`,
      marks: [],
    });
  }
  return { hosts: [], nodes, edges };
}
