import { describe, expect, it } from 'vitest';
import { peerpodPodvmMacMismatch } from '@/lib/diagnose/rules/peerpod-podvm-mac-mismatch';
import { edgeId, ifaceId } from '@/lib/topology/ids';
import { topo } from './builders';
import { BROKEN_VM_MAC, HEALTHY, POD_MAC, peerPodMacMismatch } from './fixtures';

const vxlan0 = ifaceId('podvm', 'lv-vmpod', 'vxlan0');
const eth0 = ifaceId('worker', 'lv-wpod', 'eth0');
const vxlan1 = ifaceId('worker', 'lv-wpod', 'vxlan1');

describe('peerpod-podvm-mac-mismatch', () => {
  it('marks vxlan0 when the pod VM MAC differs from the pod eth0 MAC', () => {
    const findings = peerpodPodvmMacMismatch.run(topo(peerPodMacMismatch()));
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f?.severity).toBe('critical');
    expect(f?.elements).toEqual([vxlan0, eth0, edgeId('tunnel', vxlan1, vxlan0)]);
    expect(f?.fix).toEqual([
      'ip netns exec lv-vmpod ip link set vxlan0 down',
      `ip netns exec lv-vmpod ip link set dev vxlan0 address ${POD_MAC}`,
      'ip netns exec lv-vmpod ip link set vxlan0 up',
      // Taking the device down dropped the routes through it; the connected one comes back by itself.
      'ip netns exec lv-vmpod ip route replace default via 10.132.2.1 dev vxlan0',
      // Then the durable remedy: the pod recreated, found by the pod IP the capture holds.
      "# durable: recreate the peer pod; cloud-api-adaptor then sets up the new pod VM's vxlan0 with the pod's MAC",
      'kubectl get pods -A -o wide --field-selector status.podIP=10.132.2.46',
      'kubectl delete pods -A --field-selector status.podIP=10.132.2.46',
    ]);
  });

  it('quotes both link lines and the node neighbour entry that resolves the pod IP to the pod MAC', () => {
    const [f] = peerpodPodvmMacMismatch.run(topo(peerPodMacMismatch()));
    const vm = f?.evidence.find((e) => e.host === 'podvm');
    expect(vm?.netns).toBe('lv-vmpod');
    expect(vm?.lines.join()).toContain(`"address":"${BROKEN_VM_MAC}"`);
    const neighbour = f?.evidence.find((e) => e.command === 'ip -j -d neigh show');
    expect(neighbour).toMatchObject({ host: 'worker', netns: null });
    expect(neighbour?.lines.join()).toContain(`"lladdr":"${POD_MAC}"`);
    expect(f?.explanation).toContain(BROKEN_VM_MAC);
  });

  it('credits OVN with pinning the pod MAC only on a worker that runs Open vSwitch', () => {
    const [ovn] = peerpodPodvmMacMismatch.run(topo(peerPodMacMismatch()));
    expect(ovn?.explanation).toContain('OVN answers ARP');
    const hosts = peerPodMacMismatch().map((h) => (h.role === 'worker' ? { ...h, ovs: undefined } : h));
    const [bridge] = peerpodPodvmMacMismatch.run(topo(hosts));
    expect(bridge?.explanation).not.toContain('OVN');
    expect(bridge?.explanation).toContain('every sender that resolved 10.132.2.46 (neighbour entries) address frames to');
  });

  it('stays silent when both ends share the pod MAC, whatever the worker vxlan1 MAC is', () => {
    for (const make of Object.values(HEALTHY)) expect(peerpodPodvmMacMismatch.run(topo(make()))).toEqual([]);
  });
});
