import type { Finding, Rule } from '../types';
import { ownersOf } from '../device-index';
import { deviceId, findDevice } from '../devices';
import { deviceEvidence, entityEvidence, mergeEvidence } from '../evidence';
import { inNetns, where } from '../fix';
import { isSpecialAddress, isZeroMac, sameMac } from '../ip';

const ID = 'neighbor-mac-mismatch';

/** Devices whose address is shared by design on many hosts (IPVS service IPs on a dummy) are not owners. */
const NON_OWNER_KINDS = new Set(['dummy', 'loopback']);

export const neighborMacMismatch: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Neighbour entry resolves an IP to a MAC its owner does not have',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      for (const ns of host.namespaces) {
        for (const neigh of ns.neighbors) {
          if (!neigh.lladdr || isZeroMac(neigh.lladdr) || isSpecialAddress(neigh.dst)) continue;
          if (neigh.state.some((s) => s === 'FAILED' || s === 'INCOMPLETE' || s === 'NOARP')) continue;
          const owners = ownersOf(topology, neigh.dst).filter((d) => !NON_OWNER_KINDS.has(d.iface.kind) && d.iface.mac);
          if (owners.length === 0 || owners.some((d) => sameMac(d.iface.mac, neigh.lladdr))) continue;
          const owner = owners[0];
          if (!owner) continue;
          const dev = findDevice(host, ns, neigh.dev);
          const permanent = neigh.state.includes('PERMANENT');
          out.push({
            rule: ID,
            severity: 'warning',
            title: `${neigh.dst} resolves to ${neigh.lladdr} on ${host.name}, but ${owner.iface.name} owning it has ${owner.iface.mac ?? '?'}`,
            explanation:
              `${where(host.name, ns.netns)} sends frames for ${neigh.dst} to ${neigh.lladdr} (neighbour entry on ${neigh.dev}` +
              `${permanent ? ', PERMANENT: it never ages out' : ''}). The device that holds ${neigh.dst} is ` +
              `${where(owner.host.name, owner.ns.netns, owner.iface.name)} with MAC ${owner.iface.mac ?? '?'}, so it discards ` +
              `those frames as addressed to another host. Typical after a device was recreated with a new MAC.`,
            evidence: mergeEvidence([...entityEvidence(host, ns, neigh), ...owners.map(deviceEvidence)]),
            elements: [...(dev ? [deviceId(dev)] : []), deviceId(owner)],
            fix: [inNetns(ns.netns, `ip neigh replace ${neigh.dst} lladdr ${owner.iface.mac ?? ''} dev ${neigh.dev}${permanent ? ' nud permanent' : ''}`)],
          });
        }
      }
    }
    return out;
  },
};
