import type { Finding, Rule } from '../types';
import type { Interface } from '@/lib/parse/types';
import { deviceId, type Device } from '@/lib/topology/query/devices';
import { podPathDevices } from '../datapath';
import { deviceEvidence } from '../evidence';
import { inNetns, sh, where } from '../fix';
import { vethPeer } from '../veth';
import { peerIndex } from '@/lib/topology/veth-peer';
import { finding } from '../finding';

const ID = 'link-down-or-no-carrier';

function state(iface: Interface): string | undefined {
  if (!iface.up) return 'administratively down';
  if (iface.flags.includes('NO-CARRIER')) return 'up but without carrier (NO-CARRIER)';
  if (iface.operstate === 'LOWERLAYERDOWN') return 'up but its lower device is down (LOWERLAYERDOWN)';
  if (iface.operstate === 'DOWN') return 'operationally down';
  return undefined;
}

/**
 * A veth without carrier is a symptom: the cause is the peer that is admin-down. Plain `ip a` prints no kind: a
 * device naming a peer by `@ifN` counts when that peer is found.
 */
function culprit(d: Device): Device {
  if ((d.iface.kind !== 'veth' && d.iface.kind !== 'device') || !d.iface.up) return d;
  if (d.iface.kind === 'device' && peerIndex(d.iface) === undefined) return d;
  const peer = vethPeer(d);
  return peer.status === 'found' && !peer.peer.iface.up ? peer.peer : d;
}

export const linkDownOrNoCarrier: Rule = {
  id: ID,
  severity: 'warning',
  title: 'A device on a pod path is down or has no carrier',
  run(topology) {
    const causes = new Map<string, { cause: Device; symptoms: Device[] }>();
    for (const d of podPathDevices(topology)) {
      if (!state(d.iface)) continue;
      const cause = culprit(d);
      const entry = causes.get(deviceId(cause)) ?? { cause, symptoms: [] };
      if (cause !== d && !entry.symptoms.some((s) => s.iface === d.iface)) entry.symptoms.push(d);
      causes.set(deviceId(cause), entry);
    }
    return [...causes.entries()].map(([id, { cause, symptoms }]): Finding => {
      const what = state(cause.iface) ?? 'down';
      return finding(ID, 'warning', {
        title: `${cause.iface.name} on ${cause.host.name}${cause.ns.netns ? ` (${cause.ns.netns})` : ''} is ${what}`,
        explanation:
          `${where(cause.host.name, cause.ns.netns, cause.iface.name)} is ${what}` +
          `${symptoms.length > 0 ? `, which leaves its veth peer ${symptoms.map((s) => s.iface.name).join(', ')} without carrier` : ''}. ` +
          `Pod traffic crosses this device, and the kernel neither sends nor receives on a device that is down, so every ` +
          `pod behind it is cut off.`,
        evidence: [deviceEvidence(cause), ...symptoms.map(deviceEvidence)],
        elements: [id, ...symptoms.map(deviceId)],
        fix: [inNetns(cause.ns.netns, sh`ip link set ${cause.iface.name} up`)],
      });
    });
  },
};
