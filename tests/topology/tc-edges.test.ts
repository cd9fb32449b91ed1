import { describe, expect, it } from 'vitest';
import { buildTopology } from '@/lib/topology/build';
import { edgeId, ifaceId } from '@/lib/topology/ids';
import { redirect, withNs } from '@/tests/fixtures/topology/builders';
import { ciliumHost } from '@/tests/fixtures/topology/cilium';
import { OTHER_PEERPOD, peerPodHosts } from '@/tests/fixtures/topology/ovn-peerpod';

const p = OTHER_PEERPOD;
const eth0 = ifaceId(p.worker, p.podNs, 'eth0');
const tun = ifaceId(p.worker, p.podNs, p.workerTunnel);

describe('tc redirect edges', () => {
  it('adds one directed tc-redirect edge per direction between the pod eth0 and the tunnel device', () => {
    const t = buildTopology(peerPodHosts(p));
    const tc = t.edges.filter((e) => e.kind === 'tc-redirect');
    expect(tc.map((e) => [e.source, e.target])).toEqual(
      expect.arrayContaining([
        [eth0, tun],
        [tun, eth0],
      ]),
    );
    expect(tc.every((e) => e.directed)).toBe(true);
    expect(tc.find((e) => e.id === edgeId('tc-redirect', eth0, tun, true))?.label).toBe('ingress redirect egress');
  });

  it('marks the source dangling and records the target when to_dev names no device (ifN)', () => {
    const hosts = withNs(peerPodHosts(p), p.worker, p.podNs, (n) => ({ ...n, tcFilters: [redirect('eth0', 'if4257'), redirect(p.workerTunnel, 'eth0')] }));
    const t = buildTopology(hosts);
    expect(t.nodes.find((n) => n.id === eth0)?.marks).toContain('dangling');
    expect(t.edges.some((e) => e.kind === 'tc-redirect' && e.source === eth0)).toBe(false);
    expect(t.unresolved).toContainEqual(expect.objectContaining({ kind: 'tc-redirect', from: eth0, target: 'if4257' }));
  });

  it('ignores BPF filters without mirred actions (Cilium lxc devices)', () => {
    const t = buildTopology([ciliumHost()]);
    expect(t.edges.filter((e) => e.kind === 'tc-redirect' || e.kind === 'tc-mirror')).toEqual([]);
    expect(t.nodes.some((n) => n.marks.includes('dangling'))).toBe(false);
  });
});
