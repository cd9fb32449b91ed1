import { describe, expect, it } from 'vitest';
import { diagnose } from '@/lib/diagnose';
import { traceRoute } from '@/lib/diagnose/trace';
import { findingPath, pathFromTrace, pathText, traceThrough, type PathView } from '@/lib/snapshot/path';
import { buildTopology } from '@/lib/topology/build';
import { hostId, netnsId, podId } from '@/lib/topology/ids';
import type { HostState } from '@/lib/parse/types';
import type { Topology } from '@/lib/topology/types';
import { host, iface, loopback, neigh, ns, route } from '@/tests/fixtures/topology/builders';
import { FLANNEL_DEFAULT, FLANNEL_OTHER, flannelHosts, type FlannelParams } from '@/tests/fixtures/topology/flannel';
import { LAB_PEERPOD, OTHER_PEERPOD, peerPodHosts, type PeerPodParams } from '@/tests/fixtures/topology/ovn-peerpod';
import { cilium } from '@/tests/diagnose/fixtures';

const devices = (path: PathView) => path.hops.map((h) => h.device);
const kinds = (path: PathView) => path.hops.map((h) => h.kind);

function podOf(t: Topology, host: string, netns: string): string {
  const pod = t.nodes.find((n) => n.kind === 'pod' && t.edges.some((e) => e.kind === 'pod-netns' && (e.source === n.id || e.target === n.id) && [e.source, e.target].includes(netnsId(host, netns))));
  if (pod === undefined) throw new Error(`no pod for ${host}/${netns}`);
  return pod.id;
}

describe('path view: the peer-pod incident', () => {
  it.each([LAB_PEERPOD, OTHER_PEERPOD])('draws the MAC mismatch finding as the node-to-pod-VM path, broken at the pod VM tunnel ($podvm)', (base: PeerPodParams) => {
    const t = buildTopology(peerPodHosts(base));
    const finding = diagnose(t).findings.find((f) => f.rule === 'peerpod-podvm-mac-mismatch');
    expect(finding).toBeDefined();
    const path = findingPath(t, finding!)!;
    expect(devices(path)).toEqual([base.mgmtPort, base.bridge, base.hostVeth, 'eth0', base.workerTunnel, 'underlay', base.podvmTunnel]);
    expect(kinds(path)).toEqual(['route', 'bridge', 'bridge-port', 'veth', 'tunnel', 'underlay', 'tunnel']);
    expect(path.hops.map((h) => h.via)).toEqual([undefined, undefined, 'bridge', 'veth', 'tc-redirect', 'underlay', 'tunnel']);
    const broken = path.hops.filter((h) => h.broken);
    expect(broken.map((h) => [h.host, h.netns, h.device])).toEqual([[base.podvm, base.podvmNs, base.podvmTunnel]]);
    expect(broken[0]?.reason).toBe(finding!.title);
    expect(path.finding?.rule).toBe('peerpod-podvm-mac-mismatch');
    const sender = path.hops[4]!;
    expect(sender.notes.join(' ')).toMatch(/VNI \d+ · port \d+ · remote \S+/);
    expect(path.bands.map((b) => [b.host, b.netns])).toEqual([
      [base.worker, null],
      [base.worker, base.podNs],
      ['', null],
      [base.podvm, base.podvmNs],
    ]);
    expect(path.bands[0]?.label).toContain('root namespace');
  });

  it('shows the pod path delivered when the pod VM tunnel carries the pod MAC', () => {
    const p = { ...OTHER_PEERPOD, vmPodMac: OTHER_PEERPOD.podMac };
    const t = buildTopology(peerPodHosts(p));
    const trace = traceThrough(t, [podOf(t, p.worker, p.podNs)])!;
    const path = pathFromTrace(t, trace);
    expect(path.ok).toBe(true);
    expect(path.hops.some((h) => h.broken)).toBe(false);
    expect(path.hops.at(-1)?.device).toBe(p.podvmTunnel);
  });

  it("marks the finding's furthest device on a path the trace passes (the capture lacks what would show the fault)", () => {
    const p = { ...OTHER_PEERPOD, vmPodMac: OTHER_PEERPOD.podMac };
    const t = buildTopology(peerPodHosts(p));
    const trace = traceRoute(t, hostId(p.worker), p.podIp);
    expect(trace.ok).toBe(true);
    const vm = `host:${p.podvm}/ns:${p.podvmNs}/if:${p.podvmTunnel}`;
    const pod = `host:${p.worker}/ns:${p.podNs}/if:eth0`;
    const path = pathFromTrace(t, trace, { rule: 'r', severity: 'critical', title: 'the reason', elements: [pod, vm] });
    expect(path.ok).toBe(false);
    expect(path.hops.filter((h) => h.broken).map((h) => [h.device, h.reason])).toEqual([[p.podvmTunnel, 'the reason']]);
  });

  it('writes the path as a text diagram with the broken hop and the redirect marked', () => {
    const t = buildTopology(peerPodHosts(LAB_PEERPOD));
    const path = findingPath(t, diagnose(t).findings[0]!)!;
    const text = pathText(path);
    expect(text.split('\n')).toHaveLength(1 + path.bands.length);
    expect(text).toContain(`eth0 ⇄ [tunnel] ${LAB_PEERPOD.workerTunnel}`);
    expect(text).toMatch(new RegExp(`✖ \\[tunnel\\] ${LAB_PEERPOD.podvmTunnel} .*— ${path.finding!.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});

describe('path view: other layouts', () => {
  it.each([FLANNEL_DEFAULT, FLANNEL_OTHER])('flannel: a pod on the other node is reached over the VXLAN device, the underlay, the bridge and the pod veth', (p: FlannelParams) => {
    const t = buildTopology(flannelHosts(p));
    const [a, b] = p.nodes;
    const trace = traceRoute(t, hostId(a.name), b.podIp);
    const path = pathFromTrace(t, trace);
    expect(path.ok).toBe(true);
    expect(devices(path)).toEqual([p.vtep, 'underlay', p.vtep, p.bridge, b.hostVeth, 'eth0']);
    expect(kinds(path)).toEqual(['tunnel', 'underlay', 'tunnel', 'route', 'bridge-port', 'veth']);
    expect(path.hops[0]?.notes.at(-1)).toBe(`VNI ${p.vni} · port ${p.port} · remote ${b.nodeIp}`);
    expect(path.bands.map((band) => band.host)).toEqual([a.name, '', b.name, b.name]);
  });

  it('flannel: a tunnel whose VNI differs breaks the path at the tunnel with the finding that names it', () => {
    const p: FlannelParams = FLANNEL_OTHER;
    const hosts = flannelHosts(p).map((h) =>
      h.name !== p.nodes[1].name
        ? h
        : { ...h, namespaces: h.namespaces.map((n) => ({ ...n, interfaces: n.interfaces.map((i) => (i.name === p.vtep && i.vxlan ? { ...i, vxlan: { ...i.vxlan, vni: 77 } } : i)) })) },
    );
    const t = buildTopology(hosts);
    const findings = diagnose(t).findings;
    const paths = findings.map((f) => findingPath(t, f)).filter((x): x is PathView => x !== undefined);
    const broken = paths.flatMap((x) => x.hops.filter((h) => h.broken));
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.every((h) => h.device === p.vtep)).toBe(true);
  });

  it('Cilium: a pod path stops where BPF programs forward, drawn as not captured', () => {
    const t = buildTopology(cilium());
    const pod = t.nodes.find((n) => n.kind === 'pod')!;
    const path = pathFromTrace(t, traceThrough(t, [pod.id])!);
    expect(path.ok).toBe(false);
    const end = path.hops.at(-1)!;
    expect(end.kind).toBe('not-captured');
    expect(end.reason).toContain('BPF');
    expect(path.hops.some((h) => h.broken)).toBe(false);
  });

  it('Calico (routed): the packet leaves over the uplink, crosses the underlay and reaches the pod by its /32 route and cali veth', () => {
    const node = (name: string, ip: string, peerIp: string, block: string, peerBlock: string, pod?: { ip: string; veth: string; netns: string }): HostState =>
      host(name, 'worker', [
        ns(null, {
          interfaces: [
            loopback(),
            iface({ ifindex: 2, name: 'ens3', mac: `52:54:00:00:00:${ip.slice(-2)}`, addrs: [`${ip}/24`] }),
            ...(pod ? [iface({ ifindex: 7, name: pod.veth, kind: 'veth', mac: 'ee:ee:ee:ee:ee:ee', linkIndex: 3, linkNetnsId: 0 })] : []),
          ],
          netnsIds: pod ? [{ nsid: 0, name: pod.netns }] : [],
          routes: [
            route(`${ip.split('.').slice(0, 3).join('.')}.0/24`, 'ens3', { scope: 'link' }),
            route(`${peerBlock}/26`, 'ens3', { gateway: peerIp }),
            route(`${block}/26`, 'lo', { type: 'blackhole', dev: undefined }),
            ...(pod ? [route(pod.ip, pod.veth, { scope: 'link' })] : []),
          ],
          neighbors: [neigh(peerIp, 'ens3', `52:54:00:00:00:${peerIp.slice(-2)}`)],
          sysctls: { 'net.ipv4.ip_forward': '1' },
        }),
        ...(pod
          ? [
              ns(pod.netns, {
                netnsIds: [{ nsid: 0 }],
                interfaces: [loopback(), iface({ ifindex: 3, name: 'eth0', kind: 'veth', mac: '6a:01:02:03:04:05', linkIndex: 7, linkNetnsId: 0, addrs: [`${pod.ip}/32`] })],
                routes: [route('169.254.1.1', 'eth0', { scope: 'link' }), route('default', 'eth0', { gateway: '169.254.1.1' })],
              }),
            ]
          : []),
      ]);
    const pod = { ip: '10.210.7.66', veth: 'cali5f0a9e3c1d2', netns: 'cni-77aa' };
    const t = buildTopology([node('cal-a', '172.30.4.11', '172.30.4.12', '10.210.6.0', '10.210.7.64'), node('cal-b', '172.30.4.12', '172.30.4.11', '10.210.7.64', '10.210.6.0', pod)]);
    const path = pathFromTrace(t, traceRoute(t, hostId('cal-a'), pod.ip));
    expect(path.ok).toBe(true);
    expect(devices(path)).toEqual(['ens3', 'underlay', 'ens3', pod.veth, 'eth0']);
    expect(kinds(path)).toEqual(['route', 'underlay', 'device', 'route', 'veth']);
    expect(path.bands.at(-1)?.netns).toBe(pod.netns);
  });

  it('OVS without OVN: from the bridge internal port through the bridge to the port whose veth peer holds the IP', () => {
    const t0 = buildTopology(peerPodHosts({ ...OTHER_PEERPOD, vmPodMac: OTHER_PEERPOD.podMac }));
    // The same layout with OVN's logical ports and iface-ids gone: the bridge picks the port by its veth peer.
    const hosts = t0.hosts
      .filter((h) => h.role !== 'podvm')
      .map((h) => ({
        ...h,
        ovnLogicalPorts: undefined,
        ovs: h.ovs && { ...h.ovs, externalIds: {}, interfaces: h.ovs.interfaces.map((i) => ({ ...i, externalIds: {} })) },
      }));
    const t = buildTopology(hosts);
    const p = OTHER_PEERPOD;
    const path = pathFromTrace(t, traceRoute(t, hostId(p.worker), p.podIp));
    expect(devices(path).slice(0, 4)).toEqual([p.mgmtPort, p.bridge, p.hostVeth, 'eth0']);
    expect(path.hops[2]?.notes).toEqual([]);
  });

  it('a path that leaves the capture ends in a not-captured hop, not a broken one', () => {
    const p = LAB_PEERPOD;
    const t = buildTopology(peerPodHosts(p).filter((h) => h.name !== p.podvm));
    const path = pathFromTrace(t, traceRoute(t, hostId(p.worker), p.podIp));
    expect(path.hops.at(-1)?.kind).toBe('not-captured');
    expect(path.hops.some((h) => h.broken)).toBe(false);
  });

  it('gives no path for a finding whose devices no trace from a captured node passes', () => {
    const t = buildTopology(peerPodHosts(LAB_PEERPOD));
    expect(findingPath(t, { rule: 'x', severity: 'info', title: 'x', explanation: '', evidence: [], elements: [podId('nowhere', 'none')] })).toBeUndefined();
  });
});
