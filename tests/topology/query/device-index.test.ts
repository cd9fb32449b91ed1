import { describe, expect, it } from 'vitest';
import { allDevices, deviceId } from '@/lib/topology/query/devices';
import { deviceById, hostOwningRootAddress, neighborsTo, ovsInterfacesAttaching, ownersOf, plainTunnelsCarrying, plainTunnelsOn, rootAddressesOf } from '@/lib/topology/query/device-index';
import { ifaceId } from '@/lib/topology/ids';
import { host, link, lo, neigh, ns, ovs, ovsInterface, topo } from '../../diagnose/builders';

/** Two workers that both (wrongly) hold 192.168.10.5, a pod VM, and a tunnel on each side. */
function cluster() {
  const w1 = host(
    'w1',
    'worker',
    [
      ns(null, {
        interfaces: [lo(), link({ ifindex: 2, name: 'eth0', mac: '02:00:00:00:00:01', addrs: ['192.168.10.5/24', '192.168.10.11/24'] })],
        neighbors: [neigh('10.128.0.9', 'eth0', '0A:58:0A:80:00:09', 'REACHABLE'), neigh('192.168.10.20', 'eth0', '02:00:00:00:00:20', 'STALE')],
      }),
      ns('pod-a', {
        interfaces: [
          link({ ifindex: 2, name: 'eth0', kind: 'veth', mac: '0a:58:0a:80:00:09', addrs: ['10.128.0.9/23'] }),
          link({ ifindex: 3, name: 'vxlan1', kind: 'vxlan', vxlan: { vni: 7, remote: '192.168.10.20', port: 4789 } }),
        ],
      }),
    ],
    { ovs: ovs([{ name: 'br-int', interfaces: [ovsInterface('pod-a-veth', '', 2, { attached_mac: '0A:58:0A:80:00:09' })] }], {}) },
  );
  const w2 = host('w2', 'worker', [
    ns(null, {
      interfaces: [lo(), link({ ifindex: 2, name: 'eth0', addrs: ['192.168.10.5/24'] })],
      neighbors: [neigh('10.128.0.9', 'eth0', '0a:58:0a:80:00:09', 'REACHABLE')],
    }),
  ]);
  const vm = host('vm', 'podvm', [
    ns(null, { interfaces: [lo(), link({ ifindex: 2, name: 'ens3', addrs: ['192.168.10.20/24'] })] }),
    ns('podns', {
      interfaces: [link({ ifindex: 3, name: 'vxlan0', kind: 'vxlan', addrs: ['10.128.0.9/23'], vxlan: { vni: 7, remote: '192.168.10.5', port: 4789 } })],
    }),
  ]);
  return { t: topo([w1, w2, vm]), w1, w2, vm };
}

describe('device index', () => {
  it('finds a device by element id, as allDevices lists it', () => {
    const { t } = cluster();
    const id = ifaceId('w1', 'pod-a', 'vxlan1');
    expect(deviceById(t, id)).toBe(allDevices(t).find((d) => deviceId(d) === id));
    expect(deviceById(t, ifaceId('w1', 'pod-a', 'nope'))).toBeUndefined();
  });

  it('lists every holder of an address in topology order, each device once', () => {
    const { t } = cluster();
    expect(ownersOf(t, '192.168.10.5').map(deviceId)).toEqual([ifaceId('w1', null, 'eth0'), ifaceId('w2', null, 'eth0')]);
    expect(ownersOf(t, '10.9.9.9')).toEqual([]);
  });

  it('gives the first host in topology order that holds an address in its root namespace', () => {
    const { t, w1, vm } = cluster();
    expect(hostOwningRootAddress(t, '192.168.10.5')).toBe(w1);
    expect(hostOwningRootAddress(t, '192.168.10.20')).toBe(vm);
    expect(hostOwningRootAddress(t, '10.128.0.9')).toBeUndefined();
    expect([...rootAddressesOf(t, w1)]).toEqual(['127.0.0.1', '192.168.10.5', '192.168.10.11']);
  });

  it('finds plain tunnels by host and by the pod IP they carry', () => {
    const { t, w1, vm } = cluster();
    expect(plainTunnelsOn(t, w1).map(deviceId)).toEqual([ifaceId('w1', 'pod-a', 'vxlan1')]);
    expect(plainTunnelsCarrying(t, ['10.1.1.1', '10.128.0.9', '10.128.0.9']).map(deviceId)).toEqual([ifaceId('vm', 'podns', 'vxlan0')]);
    expect(plainTunnelsOn(t, vm)).toHaveLength(1);
  });

  it('finds neighbour entries for any of several addresses once each, in topology order', () => {
    const { t } = cluster();
    const found = neighborsTo(t, ['192.168.10.20', '10.128.0.9']).map((e) => `${e.host.name}:${e.neigh.dst}`);
    expect(found).toEqual(['w1:10.128.0.9', 'w1:192.168.10.20', 'w2:10.128.0.9']);
  });

  it('finds OVS interfaces by attached MAC whatever the case', () => {
    const { t } = cluster();
    expect(ovsInterfacesAttaching(t, '0a:58:0a:80:00:09').map((e) => e.ovsIf.name)).toEqual(['pod-a-veth']);
    expect(ovsInterfacesAttaching(t, undefined)).toEqual([]);
  });
});
