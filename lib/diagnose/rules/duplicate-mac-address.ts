import { createHash } from 'node:crypto';
import type { Finding, Rule } from '../types';
import type { Topology } from '@/lib/topology/types';
import { allDevices, deviceId, type Device } from '@/lib/topology/query/devices';
import { deviceEvidence } from '../evidence';
import { inNetns, note, sh } from '../fix';
import { isZeroMac, networkOf } from '../ip';
import { pairKey, peerPodPairKeys } from '../peerpod';
import { overlayVteps } from '../vteps';
import { finding } from '../finding';
import { on } from '../fix-host';

const ID = 'duplicate-mac-address';

/** L2 segments Tunnelscope can see: an IPv4 subnet shared by addressed devices, and one overlay's VTEPs. */
function segments(devices: readonly Device[], vteps: Map<string, Device[]>): Map<string, Device[]> {
  const members = new Map<string, Set<Device>>();
  const add = (key: string, d: Device): void => {
    const seen = members.get(key);
    if (seen === undefined) members.set(key, new Set([d]));
    else seen.add(d);
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
  return new Map([...members].map(([key, set]) => [key, [...set]]));
}

/** Pairs [i, j] (i < j, in member order) of segment members whose MACs are equal ignoring case. */
function sameMacPairs(members: readonly Device[]): [Device, Device][] {
  const byMac = new Map<string | undefined, number[]>();
  members.forEach((d, i) => {
    const mac = d.iface.mac?.toLowerCase();
    const same = byMac.get(mac);
    if (same === undefined) byMac.set(mac, [i]);
    else same.push(i);
  });
  const pairs: [Device, Device][] = [];
  members.forEach((a, i) => {
    for (const j of byMac.get(a.iface.mac?.toLowerCase()) ?? []) if (j > i) pairs.push([a, members[j]]);
  });
  return pairs;
}

/**
 * A locally administered unicast MAC (02:…) derived from the device's id, so one capture always suggests the same
 * one, and held by no captured device.
 */
function unusedMac(topology: Topology, device: Device): string {
  const used = new Set(allDevices(topology).map((d) => d.iface.mac?.toLowerCase()));
  for (let salt = 0; ; salt++) {
    const digest = createHash('sha256')
      .update(`${deviceId(device)}#${salt}`)
      .digest();
    const mac = ['02', ...[...digest.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
    if (!used.has(mac)) return mac;
  }
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
      for (const [a, b] of sameMacPairs(members)) {
        // Same host and namespace: bridge and its uplink, bond or VLAN over its lower device share a MAC by design.
        if (a.host === b.host && a.ns === b.ns) continue;
        const key = pairKey(deviceId(a), deviceId(b));
        if (intended.has(key) || reported.has(key)) continue;
        reported.add(key);
        out.push(
          finding(ID, 'warning', {
            title: `${a.iface.name}@${a.host.name} and ${b.iface.name}@${b.host.name} share MAC ${a.iface.mac ?? ''}`,
            explanation:
              `Both devices are in ${segment} and use MAC ${a.iface.mac ?? ''}. Switches and bridges learn the MAC on whichever ` +
              `port spoke last, so frames for one device are delivered to the other and both see intermittent loss. ` +
              `Cloned VM templates and hand-set addresses are the usual causes.`,
            evidence: [deviceEvidence(a), deviceEvidence(b)],
            elements: [deviceId(a), deviceId(b)],
            fix: [on(b), inNetns(b.ns.netns, sh`ip link set dev ${b.iface.name} address ${unusedMac(topology, b)}`), note`and fix the VM template (machine-id / MAC policy) if the hosts were cloned`],
          }),
        );
      }
    }
    return out;
  },
};
