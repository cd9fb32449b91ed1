import type { Finding, Rule } from '../types';
import { ownersOf } from '@/lib/topology/query/device-index';
import { deviceId, findDevice, type Device } from '@/lib/topology/query/devices';
import { deviceEvidence, entityEvidence, mergeEvidence } from '../evidence';
import { inNetns, part, sh, where } from '../fix';
import { isZeroMac, sameMac } from '../ip';
import { isSpecialAddress } from '@/lib/topology/ip';
import { vethPeer } from '../veth';
import { finding } from '../finding';
import { on } from '../fix-host';

const ID = 'neighbor-mac-mismatch';

/** Devices whose address is shared by design on many hosts (IPVS service IPs on a dummy) are not owners. */
const NON_OWNER_KINDS = new Set(['dummy', 'loopback']);

/**
 * Linux answers ARP for any of a namespace's addresses on every device (arp_ignore=0), with the MAC of the device the
 * request came in on. Over a veth the namespace at the far end therefore resolves all of its IPs to its end of the
 * veth (or to the bridge that end is a port of): a routed pod (Calico's proxy-ARP veth) holds the node's uplink IP
 * with the MAC of the node's cali device. That is the owner answering, not a stale entry.
 */
function answeredAcrossVeth(dev: Device | undefined, owners: readonly Device[], lladdr: string): boolean {
  if (dev === undefined || dev.iface.kind !== 'veth') return false;
  const far = vethPeer(dev);
  if (far.status !== 'found') return false;
  const { host, ns, iface } = far.peer;
  if (!owners.some((o) => o.host === host && o.ns === ns)) return false;
  const master = iface.master === undefined ? undefined : ns.interfaces.find((i) => i.name === iface.master);
  return [iface, master].some((facing) => facing !== undefined && sameMac(facing.mac, lladdr));
}

/** Whether any captured device has this MAC (the device that answered ARP for the entry, if it still exists). */
function heldByAnyDevice(topology: Parameters<Rule['run']>[0], mac: string): boolean {
  return topology.hosts.some((h) => h.namespaces.some((n) => n.interfaces.some((i) => sameMac(i.mac, mac))));
}

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
          if (answeredAcrossVeth(dev, owners, neigh.lladdr)) continue;
          const permanent = neigh.state.includes('PERMANENT');
          if (!permanent && !heldByAnyDevice(topology, neigh.lladdr)) {
            // A learned entry naming a MAC that no device has any more: the owner changed its MAC (a fix, a
            // recreated device). The kernel checks the entry on its next use (DELAY, then unicast probes that go
            // unanswered) and asks again by broadcast, so it corrects itself within seconds: history, not a fault.
            out.push(
              finding(ID, 'info', {
                title: `${neigh.dst} still resolves to ${neigh.lladdr} on ${host.name}, a MAC no captured device has any more`,
                explanation:
                  `${where(host.name, ns.netns)} learned ${neigh.lladdr} for ${neigh.dst} on ${neigh.dev} (${neigh.state.join(',') || 'no state'}), ` +
                  `but ${owner.iface.name} holding ${neigh.dst} now has ${owner.iface.mac ?? '?'} and no captured device has ${neigh.lladdr}: the ` +
                  `owner's MAC changed since the entry was learned. The entry is not permanent: the kernel re-probes it on its next use and ` +
                  `learns the new MAC within a few seconds, losing the packets sent meanwhile. Delete it to skip that.`,
                evidence: mergeEvidence([...entityEvidence(host, ns, neigh), ...owners.map(deviceEvidence)]),
                elements: [...(dev ? [deviceId(dev)] : []), deviceId(owner)],
                fix: [on(host), inNetns(ns.netns, sh`ip neigh del ${neigh.dst} dev ${neigh.dev}`)],
              }),
            );
            continue;
          }
          out.push(
            finding(ID, 'warning', {
              title: `${neigh.dst} resolves to ${neigh.lladdr} on ${host.name}, but ${owner.iface.name} owning it has ${owner.iface.mac ?? '?'}`,
              explanation:
                `${where(host.name, ns.netns)} sends frames for ${neigh.dst} to ${neigh.lladdr} (neighbour entry on ${neigh.dev}` +
                `${permanent ? ', PERMANENT: it never ages out' : ''}). The device that holds ${neigh.dst} is ` +
                `${where(owner.host.name, owner.ns.netns, owner.iface.name)} with MAC ${owner.iface.mac ?? '?'}, so it discards ` +
                `those frames as addressed to another host. Typical after a device was recreated with a new MAC.`,
              evidence: mergeEvidence([...entityEvidence(host, ns, neigh), ...owners.map(deviceEvidence)]),
              elements: [...(dev ? [deviceId(dev)] : []), deviceId(owner)],
              fix: [on(host), inNetns(ns.netns, sh`ip neigh replace ${neigh.dst} lladdr ${owner.iface.mac ?? '<mac>'} dev ${neigh.dev}${permanent && part` nud permanent`}`)],
            }),
          );
        }
      }
    }
    return out;
  },
};
