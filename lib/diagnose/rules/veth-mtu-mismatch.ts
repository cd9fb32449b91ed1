import type { Finding, Rule } from '../types';
import { allDevices, deviceId } from '@/lib/topology/query/devices';
import { deviceEvidence } from '../evidence';
import { inNetns, sh } from '../fix';
import { vethPeer } from '../veth';
import { edgeId } from '@/lib/topology/ids';
import { finding } from '../finding';

const ID = 'veth-mtu-mismatch';

export const vethMtuMismatch: Rule = {
  id: ID,
  severity: 'warning',
  title: 'The two ends of a veth pair have different MTUs',
  run(topology) {
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const d of allDevices(topology)) {
      if (d.iface.kind !== 'veth' || d.iface.mtu === undefined) continue;
      const peer = vethPeer(d);
      if (peer.status !== 'found' || peer.peer.iface.mtu === undefined || peer.peer.iface.mtu === d.iface.mtu) continue;
      const edge = edgeId('veth', deviceId(d), deviceId(peer.peer));
      if (seen.has(edge)) continue;
      seen.add(edge);
      const [big, small] = d.iface.mtu > peer.peer.iface.mtu ? [d, peer.peer] : [peer.peer, d];
      out.push(
        finding(ID, 'warning', {
          title: `veth ${big.iface.name} (MTU ${big.iface.mtu}) ↔ ${small.iface.name} (MTU ${small.iface.mtu}) on ${d.host.name}`,
          explanation:
            `A veth drops every frame longer than the receiving end's MTU. ${big.iface.name} may send up to ${big.iface.mtu} bytes but ` +
            `${small.iface.name} accepts only ${small.iface.mtu}, so large packets (TCP with full-size segments, big UDP) vanish ` +
            `one way while pings and small requests work.`,
          evidence: [deviceEvidence(big), deviceEvidence(small)],
          elements: [deviceId(big), deviceId(small), edge],
          fix: [inNetns(big.ns.netns, sh`ip link set dev ${big.iface.name} mtu ${small.iface.mtu ?? '<mtu>'}`)],
        }),
      );
    }
    return out;
  },
};
