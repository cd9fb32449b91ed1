import { describe, expect, it } from 'vitest';
import { traceRoute } from '@/lib/diagnose/trace';
import { buildTopology } from '@/lib/topology/build';
import { hostId, ifaceId, netnsId, ovsBridgeId } from '@/lib/topology/ids';
import { neigh, redirect, withIface, withNs } from '@/tests/fixtures/topology/builders';
import { FLANNEL_OTHER, flannelHosts } from '@/tests/fixtures/topology/flannel';
import { LAB_PEERPOD, OTHER_PEERPOD, peerPodHosts } from '@/tests/fixtures/topology/ovn-peerpod';
import { ovnKernel } from '@/tests/diagnose/fixtures';
import type { HostState } from '@/lib/parse/types';

describe('traceRoute: peer-pod path', () => {
  it('breaks at the pod VM vxlan0 when its MAC differs from the MAC the node resolved (the lab incident)', () => {
    const p = LAB_PEERPOD;
    const r = traceRoute(buildTopology(peerPodHosts(p)), p.worker, p.podIp);
    expect(r.ok).toBe(false);
    expect(r.hops.map((h) => h.action)).toEqual([
      'route 10.132.2.0/23 dev ovn-k8s-mp0',
      'neighbour 10.132.2.46 → 0a:58:0a:84:02:2e (REACHABLE)',
      'OVS br-int → port veth-pod46',
      `veth veth-pod46 → eth0 in ns ${p.podNs}`,
      'tc redirect eth0 → vxlan1',
      'VXLAN VNI 555005 → 192.168.10.201',
      'delivered: vxlan0 owns 10.132.2.46 but MAC differs from the frame destination',
    ]);
    expect(r.brokenAt).toBe(6);
    expect(r.hops[6].element).toBe(ifaceId(p.podvm, p.podvmNs, p.podvmTunnel));
    expect(r.reason).toContain('7e:e5:f7:e6:f5:1a');
  });

  it.each([LAB_PEERPOD, OTHER_PEERPOD])('reaches the pod VM once its tunnel device carries the pod MAC ($podvm)', (base) => {
    const p = { ...base, vmPodMac: base.podMac };
    const r = traceRoute(buildTopology(peerPodHosts(p)), hostId(p.worker), p.podIp);
    expect(r.ok).toBe(true);
    expect(r.brokenAt).toBeUndefined();
    expect(r.hops.at(-1)?.element).toBe(ifaceId(p.podvm, p.podvmNs, p.podvmTunnel));
    expect(r.hops.map((h) => h.element)).toContain(ovsBridgeId(p.worker, p.bridge));
    expect(r.hops.every((h) => h.ok)).toBe(true);
  });

  it('crosses the kernel-datapath bridge the same way', () => {
    const p = { ...OTHER_PEERPOD, datapath: 'system' as const, vmPodMac: OTHER_PEERPOD.podMac };
    const r = traceRoute(buildTopology(peerPodHosts(p)), p.worker, p.podIp);
    expect(r.ok).toBe(true);
    expect(r.hops.find((h) => h.action.startsWith('OVS'))?.action).toBe(`OVS ${p.bridge} → port ${p.hostVeth}`);
  });

  it('stops at the pod eth0 when the redirect towards the tunnel is missing', () => {
    const p = { ...OTHER_PEERPOD, vmPodMac: OTHER_PEERPOD.podMac };
    const hosts = withNs(peerPodHosts(p), p.worker, p.podNs, (n) => ({ ...n, tcFilters: [redirect(p.workerTunnel, 'eth0')] }));
    const r = traceRoute(buildTopology(hosts), p.worker, p.podIp);
    expect(r.ok).toBe(false);
    expect(r.hops[r.brokenAt ?? -1].element).toBe(ifaceId(p.worker, p.podNs, 'eth0'));
    expect(r.reason).toContain('no ingress redirect back');
  });

  it('stops at an unpaired tunnel (VNI mismatch)', () => {
    const p = { ...OTHER_PEERPOD, vmPodMac: OTHER_PEERPOD.podMac };
    const hosts = withIface(peerPodHosts(p), p.podvm, p.podvmNs, p.podvmTunnel, (i) => ({ ...i, vxlan: { ...i.vxlan, vni: 9 } }));
    const r = traceRoute(buildTopology(hosts), p.worker, p.podIp);
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('unpaired tunnel');
    expect(r.reason).toContain('VNI 7001 ≠ 9');
  });

  it('stops at a FAILED neighbour', () => {
    const p = LAB_PEERPOD;
    const hosts = withNs(peerPodHosts(p), p.worker, null, (n) => ({ ...n, neighbors: [neigh(p.podIp, p.mgmtPort, undefined, ['FAILED'])] }));
    const r = traceRoute(buildTopology(hosts), p.worker, p.podIp);
    expect(r.brokenAt).toBe(1);
    expect(r.reason).toContain('FAILED');
  });

  it('stops when the egress device is down', () => {
    const p = LAB_PEERPOD;
    const hosts = withIface(peerPodHosts(p), p.worker, null, p.mgmtPort, (i) => ({ ...i, up: false, flags: ['BROADCAST', 'MULTICAST'] }));
    const r = traceRoute(buildTopology(hosts), p.worker, p.podIp);
    expect(r.brokenAt).toBe(0);
    expect(r.reason).toBe('ovn-k8s-mp0 is down');
  });

  it('reports no route in a namespace without a matching route', () => {
    const p = LAB_PEERPOD;
    const noRoute = traceRoute(buildTopology(withNs(peerPodHosts(p), p.podvm, p.podvmNs, (n) => ({ ...n, routes: [] }))), netnsId(p.podvm, p.podvmNs), '203.0.113.9');
    expect(noRoute.hops).toEqual([{ element: netnsId(p.podvm, p.podvmNs), action: 'no route to 203.0.113.9', ok: false, why: expect.stringContaining('no route') }]);
  });

  it('rejects an unknown start and a destination that is not an IP', () => {
    const t = buildTopology(peerPodHosts());
    expect(traceRoute(t, 'no-such-host', '10.0.0.1').reason).toContain('neither an element id nor a host name');
    expect(traceRoute(t, LAB_PEERPOD.worker, 'pod-46').reason).toContain('not an IP');
  });
});

describe('traceRoute: flannel', () => {
  it('walks pod → cni bridge → flannel VXLAN → other node → bridge → pod and delivers', () => {
    const p = FLANNEL_OTHER;
    const [a, b] = p.nodes;
    const r = traceRoute(buildTopology(flannelHosts(p)), netnsId(a.name, a.podNs), b.podIp);
    expect(r.ok).toBe(true);
    const actions = r.hops.map((h) => h.action);
    expect(actions).toContain(`VXLAN VNI ${p.vni} → ${b.nodeIp}`);
    expect(actions).toContain(`bridge ${p.bridge} → port ${b.hostVeth}`);
    expect(r.hops.at(-1)?.element).toBe(ifaceId(b.name, b.podNs, 'eth0'));
  });

  it('detects a forwarding loop and stops', () => {
    const p = FLANNEL_OTHER;
    const [a, b] = p.nodes;
    // node B sends the pod subnet back over the tunnel: A and B bounce the packet between them.
    const hosts = withNs(flannelHosts(p), b.name, null, (n) => ({
      ...n,
      routes: n.routes.map((r) => (r.dst === `${b.podNet}.0/24` ? { ...r, dev: p.vtep, gateway: `${a.podNet}.0` } : r)),
      neighbors: [...n.neighbors, neigh(`${a.podNet}.0`, p.vtep, a.vtepMac, ['PERMANENT'])],
    }));
    const r = traceRoute(buildTopology(hosts), netnsId(a.name, a.podNs), b.podIp);
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('forwarding loop');
    expect(r.hops.length).toBeLessThan(70);
  });
});

/** ovnKernel's worker and a second chassis made from it: other names and addresses, Geneve ports to each other. */
function twoChassis(options: { tunnelFromFirst?: boolean } = {}): HostState[] {
  const [first] = ovnKernel();
  const swap: [string, string][] = [
    ['ocp-worker-1', 'ocp-worker-2'],
    ['192.168.122.20', '192.168.122.2X'],
    ['192.168.122.21', '192.168.122.20'],
    ['192.168.122.2X', '192.168.122.21'],
    ['10.128.2.', '10.128.4.'],
    ['0a:58:0a:80:02:', '0a:58:0a:80:04:'],
    ['demo_web-1', 'demo_web-2'],
  ];
  let text = JSON.stringify(first);
  for (const [from, to] of swap) text = text.split(from).join(to);
  const second = JSON.parse(text) as HostState;
  if (options.tunnelFromFirst === false) {
    for (const iface of first.ovs?.interfaces ?? []) if (iface.type === 'geneve') iface.options = { remote_ip: '192.168.122.99' };
  }
  return [first, second];
}

describe('traceRoute: OVN between chassis', () => {
  it('follows br-int over the Geneve port to the chassis holding the pod, and on to the pod', () => {
    const r = traceRoute(buildTopology(twoChassis()), 'ocp-worker-1', '10.128.4.5');
    expect(r.ok).toBe(true);
    const geneve = r.hops.find((h) => h.action.includes('tunnel ovn-9a1c2e-0'));
    expect(geneve).toMatchObject({ element: ovsBridgeId('ocp-worker-2', 'br-int'), action: 'OVS br-int → tunnel ovn-9a1c2e-0 → ocp-worker-2', ok: true });
    expect(geneve?.why).toBe("remote_ip 192.168.122.21 is ocp-worker-2's ovn-encap-ip, and ocp-worker-2 holds 10.128.4.5");
    expect(r.hops.at(-1)?.element).toBe(ifaceId('ocp-worker-2', 'c16c7a01-pod', 'eth0'));
  });

  it('matches a tunnel to any of several encap IPs of the far chassis', () => {
    const hosts = twoChassis();
    const ovs = hosts[1].ovs;
    if (ovs === undefined) throw new Error('the second chassis has no OVS');
    ovs.externalIds['ovn-encap-ip'] = '10.0.9.9, 192.168.122.21';
    const r = traceRoute(buildTopology(hosts), 'ocp-worker-1', '10.128.4.5');
    expect(r.ok).toBe(true);
    expect(r.hops.some((h) => h.why === "remote_ip 192.168.122.21 is ocp-worker-2's ovn-encap-ip, and ocp-worker-2 holds 10.128.4.5")).toBe(true);
  });

  it('breaks at br-int when it has no tunnel port to the chassis holding the pod, naming where its tunnels go', () => {
    const r = traceRoute(buildTopology(twoChassis({ tunnelFromFirst: false })), 'ocp-worker-1', '10.128.4.5');
    expect(r.ok).toBe(false);
    expect(r.hops[r.brokenAt ?? -1]?.element).toBe(ovsBridgeId('ocp-worker-1', 'br-int'));
    expect(r.reason).toBe('ocp-worker-2 holds 10.128.4.5, but br-int on ocp-worker-1 has no tunnel port to it (remote_ip 192.168.122.21; tunnels go to 192.168.122.99)');
  });

  it('says the chassis holding the IP is not captured when no captured host holds it', () => {
    const r = traceRoute(buildTopology(twoChassis()), 'ocp-worker-1', '10.128.6.9');
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/no captured host does: OVN would tunnel it to the chassis holding it, which is not in the capture$/);
  });
});
