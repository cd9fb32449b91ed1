import { describe, expect, it } from 'vitest';
import { buildDeviceElements } from '@/lib/graph/elements';
import { buildTopology } from '@/lib/topology/build';
import { ifaceId, netnsId, ovsBridgeId } from '@/lib/topology/ids';
import { FLANNEL_OTHER, flannelHosts } from '@/tests/fixtures/topology/flannel';
import { OTHER_PEERPOD, peerPodHosts } from '@/tests/fixtures/topology/ovn-peerpod';

function layers(elements: ReturnType<typeof buildDeviceElements>): Map<string, number | undefined> {
  return new Map(elements.filter((e) => e.group === 'nodes').map((e) => [e.data.id, 'layer' in e.data ? e.data.layer : undefined]));
}

describe('device graph layers', () => {
  it('puts uplinks and tunnels first, then bridges, then host ends of veths, then pod namespaces (OVN peer pod)', () => {
    const p = OTHER_PEERPOD;
    const t = buildTopology(peerPodHosts(p));
    const layer = layers(buildDeviceElements(t, []));
    expect(layer.get(ovsBridgeId(p.worker, p.bridge))).toBe(1);
    expect(layer.get(ifaceId(p.worker, null, p.mgmtPort))).toBe(1);
    expect(layer.get(ifaceId(p.worker, null, p.hostVeth))).toBe(2);
    expect(layer.get(netnsId(p.worker, p.podNs))).toBe(3);
    const uplink = t.nodes.find((n) => n.host === p.worker && (n.netns ?? null) === null && n.iface?.kind === 'device' && n.iface.name !== 'lo');
    expect(uplink && layer.get(uplink.id)).toBe(0);
    // Inside a namespace the devices share one layer: their edges order them.
    expect(layer.get(ifaceId(p.worker, p.podNs, 'eth0'))).toBe(layer.get(ifaceId(p.worker, p.podNs, p.workerTunnel)));
  });

  it('does the same on a flannel node: VXLAN device, then the bridge, then the pod veths', () => {
    const p = FLANNEL_OTHER;
    const layer = layers(buildDeviceElements(buildTopology(flannelHosts(p)), []));
    const [a] = p.nodes;
    expect(layer.get(ifaceId(a.name, null, p.vtep))).toBe(0);
    expect(layer.get(ifaceId(a.name, null, p.bridge))).toBe(1);
    expect(layer.get(ifaceId(a.name, null, a.hostVeth))).toBe(2);
    expect(layer.get(netnsId(a.name, a.podNs))).toBe(3);
  });
});
