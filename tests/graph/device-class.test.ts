import { describe, expect, it } from 'vitest';
import { deviceClass } from '@/lib/graph/device-class';
import type { Interface, OvsInterface } from '@/lib/parse/types';
import type { TopoNode } from '@/lib/topology/types';

function device(kind: string, ovsType?: string): TopoNode {
  const iface = { ifindex: 5, name: 'br-int', kind, flags: ['UP'], up: true, lowerUp: true, addresses: [] } as Interface;
  const node: TopoNode = { id: `host:w/if:br-int`, kind: 'interface', label: 'br-int', host: 'w', netns: null, iface, marks: [] };
  if (ovsType !== undefined) node.ovsInterface = { name: 'br-int', type: ovsType, ofport: 65534, externalIds: {}, options: {} } as OvsInterface;
  return node;
}

describe('device drawing class', () => {
  it('draws an OVS internal port as one on both datapaths: a kernel openvswitch device and a userspace tap', () => {
    expect(deviceClass(device('openvswitch', 'internal'))).toBe('ovs-internal');
    expect(deviceClass(device('tun', 'internal'))).toBe('ovs-internal');
  });

  it('keeps a tap that OVS does not own, and an OVS port of another type, in their own classes', () => {
    expect(deviceClass(device('tun'))).toBe('other');
    expect(deviceClass(device('veth', ''))).toBe('veth');
  });
});
