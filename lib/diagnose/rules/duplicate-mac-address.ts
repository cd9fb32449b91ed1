import type { Finding, Rule } from '../types';
import { allDevices, deviceId, type Device } from '../devices';
import { deviceEvidence } from '../evidence';
import { inNetns } from '../fix';
import { isZeroMac, networkOf } from '../ip';
import { pairKey, peerPodPairKeys } from '../peerpod';
import { overlayVteps } from '../vteps';

const ID = 'duplicate-mac-address';

/** L2 segments Tunnelscope can see: an IPv4 subnet shared by addressed devices, and one overlay's VTEPs. */
function segments(devices: Device[], vteps: Map<string, Device[]>): Map<string, Device[]> {
  const out = new Map<string, Device[]>();
  const add = (key: string, d: Device): void => {
    const list = out.get(key) ?? [];
    if (!list.includes(d)) out.set(key, [...list, d]);
  };
  for (const d of devices) {
    if (isZeroMac(d.iface.mac) || d.iface.kind === 'loopback') continue;
    for (const a of d.iface.addresses) {
      if (a.family !== 'inet' || a.scope === 'host' || a.prefixlen >= 31) continue;
      const net = networkOf(a.local, a.prefixlen);
      if (net) add(`subnet ${net}`, d);
    }
  }
  for (const [name, list] of vteps) for (const d of list) add(`overlay ${name}`, d);
  return out;
}

export const duplicateMacAddress: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Two devices in one L2 segment share a MAC address',
  run(topology) {
    const intended = peerPodPairKeys(topology);
    const out: Finding[] = [];
    const reported = new Set<string>();
    for (const [segment, members] of segments(allDevices(topology), overlayVteps(topology))) {
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) {
          const a = members[i];
          const b = members[j];
          if (!a || !b || a.iface.mac?.toLowerCase() !== b.iface.mac?.toLowerCase()) continue;
          // Same host and namespace: bridge and its uplink, bond or VLAN over its lower device share a MAC by design.
          if (a.host === b.host && a.ns === b.ns) continue;
          const key = pairKey(deviceId(a), deviceId(b));
          if (intended.has(key) || reported.has(key)) continue;
          reported.add(key);
          out.push({
            rule: ID,
            severity: 'warning',
            title: `${a.iface.name}@${a.host.name} and ${b.iface.name}@${b.host.name} share MAC ${a.iface.mac ?? ''}`,
            explanation:
              `Both devices are in ${segment} and use MAC ${a.iface.mac ?? ''}. Switches and bridges learn the MAC on whichever ` +
              `port spoke last, so frames for one device are delivered to the other and both see intermittent loss. ` +
              `Cloned VM templates and hand-set addresses are the usual causes.`,
            evidence: [deviceEvidence(a), deviceEvidence(b)],
            elements: [deviceId(a), deviceId(b)],
            fix: [inNetns(b.ns.netns, `ip link set dev ${b.iface.name} address <unique MAC>`), '# and fix the VM template (machine-id / MAC policy) if the hosts were cloned'],
          });
        }
      }
    }
    return out;
  },
};
