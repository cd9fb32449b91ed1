import { describe, expect, it } from 'vitest';
import { integrationBridge, ovsBridgeInterfaces, ovsBridgeOf, ovsInterface } from '@/lib/diagnose/ovs';
import type { OvsState } from '@/lib/parse/types';
import { host, ovsInterface as row } from './builders';

/** Bridges name ports by uuid (ovs-vsctl list) or by name (ovs-vsctl show); a port may name a missing interface. */
function state(): OvsState {
  return {
    bridges: [
      { uuid: 'b-int', name: 'br-int', ports: ['p-mp0', 'veth-a', 'gone'], externalIds: {} },
      { uuid: 'b-ex', name: 'br-ex', ports: ['p-ens3', 'p-mp0'], externalIds: {} },
    ],
    ports: [
      { uuid: 'p-mp0', name: 'ovn-k8s-mp0', interfaces: ['i-mp0'] },
      { uuid: 'p-veth', name: 'veth-a', interfaces: ['i-veth', 'i-missing'] },
      { uuid: 'p-ens3', name: 'ens3', interfaces: ['i-ens3'] },
    ],
    interfaces: [
      { ...row('ovn-k8s-mp0', 'internal', 1, { 'iface-id': 'k8s-w1' }), uuid: 'i-mp0' },
      { ...row('veth-a', '', 2, { 'iface-id': 'default_a' }), uuid: 'i-veth' },
      { ...row('ens3', '', 1), uuid: 'i-ens3' },
      { ...row('veth-a', '', 9), uuid: 'i-veth-dup' },
    ],
    externalIds: {},
  };
}

describe('OVS lookups', () => {
  const h = host('w1', 'worker', [], { ovs: state() });

  it('finds the first interface row of a name', () => {
    expect(ovsInterface(h, 'veth-a')?.uuid).toBe('i-veth');
    expect(ovsInterface(h, 'nope')).toBeUndefined();
    expect(ovsInterface(host('bare', 'worker', []), 'veth-a')).toBeUndefined();
  });

  it('puts an interface on the first bridge that lists it, through port uuids or names', () => {
    expect(ovsBridgeOf(h, 'ovn-k8s-mp0')?.name).toBe('br-int');
    expect(ovsBridgeOf(h, 'veth-a')?.name).toBe('br-int');
    expect(ovsBridgeOf(h, 'ens3')?.name).toBe('br-ex');
    // Unresolved references count as names: a port "gone" and an interface uuid without a row.
    expect(ovsBridgeOf(h, 'gone')?.name).toBe('br-int');
    expect(ovsBridgeOf(h, 'i-missing')?.name).toBe('br-int');
  });

  it('lists a bridge’s interface rows in table order, every row of a listed name', () => {
    const own = h.ovs?.bridges.find((b) => b.name === 'br-int');
    const copy = state().bridges.find((b) => b.name === 'br-int');
    if (own === undefined || copy === undefined) throw new Error('fixture');
    expect(ovsBridgeInterfaces(h, own).map((i) => i.uuid)).toEqual(['i-mp0', 'i-veth', 'i-veth-dup']);
    expect(ovsBridgeInterfaces(h, copy).map((i) => i.uuid)).toEqual(['i-mp0', 'i-veth', 'i-veth-dup']);
    expect(integrationBridge(h)?.name).toBe('br-int');
  });
});
