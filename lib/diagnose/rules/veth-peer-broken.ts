import type { Finding, Rule } from '../types';
import { allDevices, deviceId } from '@/lib/topology/query/devices';
import { deviceEvidence } from '../evidence';
import { inNetns, note, sh, where } from '../fix';
import { vethPeer } from '../veth';
import { finding } from '../finding';

const ID = 'veth-peer-broken';

export const vethPeerBroken: Rule = {
  id: ID,
  severity: 'warning',
  title: 'veth whose peer is gone',
  run(topology) {
    const out: Finding[] = [];
    for (const d of allDevices(topology)) {
      if (d.iface.kind !== 'veth') continue;
      const peer = vethPeer(d);
      if (peer.status !== 'missing') continue;
      const idx = d.iface.linkIndex !== undefined ? ` (ifindex ${d.iface.linkIndex})` : '';
      out.push(
        finding(ID, 'warning', {
          title: `veth ${d.iface.name} on ${d.host.name} has no peer`,
          explanation:
            `${where(d.host.name, d.ns.netns, d.iface.name)} is one end of a veth pair, but its other end${idx} ` +
            `${d.iface.link === null ? 'is reported as gone by the kernel (@NONE)' : 'is not in the namespace the kernel names for it'}. ` +
            `Whatever is sent into it goes nowhere: the pod it belonged to was deleted or its namespace leaked.`,
          evidence: [deviceEvidence(d)],
          elements: [deviceId(d)],
          fix: [inNetns(d.ns.netns, sh`ip link del ${d.iface.name}`), note`after checking no running pod uses it; recreate the pod if one does`],
        }),
      );
    }
    return out;
  },
};
