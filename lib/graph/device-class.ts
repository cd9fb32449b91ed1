import type { TopoNode } from '@/lib/topology/types';
import type { DeviceClass } from './palette';

const IFACE_CLASS: Record<string, DeviceClass> = {
  loopback: 'loopback',
  veth: 'veth',
  vxlan: 'tunnel',
  geneve: 'tunnel',
  bridge: 'bridge',
  openvswitch: 'ovs-internal',
  device: 'physical',
};

/** The drawing class of a topology node: one shape and one colour each, shared by graph, legend and list. */
export function deviceClass(node: TopoNode): DeviceClass {
  switch (node.kind) {
    case 'host':
      return node.role === 'podvm' ? 'podvm' : 'host';
    case 'netns':
      return 'netns';
    case 'pod':
      return 'pod';
    case 'ovs-bridge':
      return 'ovs-bridge';
    case 'segment':
      return 'segment';
    case 'interface': {
      const iface = node.iface;
      if (!iface) return 'other';
      if (iface.name === 'lo') return 'loopback';
      // On the userspace datapath an OVS internal port is a tap device: OVS's own table says what it is.
      if (node.ovsInterface?.type === 'internal') return 'ovs-internal';
      return IFACE_CLASS[iface.kind] ?? 'other';
    }
  }
}

export function isDown(node: TopoNode): boolean {
  return node.kind === 'interface' && (node.marks.includes('down') || node.iface?.up === false);
}

export function isLoopback(node: TopoNode): boolean {
  return node.kind === 'interface' && deviceClass(node) === 'loopback';
}
