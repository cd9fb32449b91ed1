import type { Finding, Rule } from '../types';
import { allDevices, deviceId, globalAddresses, type Device } from '@/lib/topology/query/devices';
import { deviceEvidence } from '../evidence';
import { inNetns, sh } from '../fix';
import { pairKey, peerPodPairKeys } from '../peerpod';
import { finding } from '../finding';
import { on } from '../fix-host';

const ID = 'duplicate-ip-address';

/** Dummy devices hold addresses shared by design on every node (kube-ipvs0 service IPs, NodeLocal DNS). */
const SHARED_BY_DESIGN = new Set(['dummy', 'loopback']);

export const duplicateIpAddress: Rule = {
  id: ID,
  severity: 'warning',
  title: 'The same IP address is configured on two devices',
  run(topology) {
    const intended = peerPodPairKeys(topology);
    const byIp = new Map<string, Device[]>();
    for (const d of allDevices(topology)) {
      if (SHARED_BY_DESIGN.has(d.iface.kind)) continue;
      for (const ip of globalAddresses(d.iface, 'any')) {
        const holders = byIp.get(ip);
        if (holders === undefined) byIp.set(ip, [d]);
        else holders.push(d);
      }
    }
    const out: Finding[] = [];
    for (const [ip, holders] of byIp) {
      if (holders.length < 2) continue;
      const ids = holders.map(deviceId);
      const allIntended = ids.every((a, i) => ids.some((b, j) => i !== j && intended.has(pairKey(a, b)))) && holders.length === 2;
      if (allIntended) continue;
      out.push(
        finding(ID, 'warning', {
          title: `${ip} is on ${holders.map((d) => `${d.iface.name}@${d.host.name}`).join(' and ')}`,
          explanation:
            `${ip} is configured on ${holders.length} devices: ${holders.map((d) => `${d.iface.name} (${d.host.name}${d.ns.netns ? `/${d.ns.netns}` : ''})`).join(', ')}. ` +
            `Neighbours learn whichever answers ARP last, so traffic for ${ip} flips between them and connections break at random. ` +
            `Usually a stale pod kept an IP that IPAM handed out again, or a VM was cloned.`,
          evidence: holders.map(deviceEvidence),
          elements: ids,
          fix: holders.slice(1).flatMap((d) => [on(d), inNetns(d.ns.netns, sh`ip addr del ${ip}/${d.iface.addresses.find((a) => a.local === ip)?.prefixlen ?? 32} dev ${d.iface.name}`)]),
        }),
      );
    }
    return out;
  },
};
