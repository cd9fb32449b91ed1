import type { Finding, Rule } from '../types';
import { deviceId, hostAddresses, tunnelPort, type Device } from '@/lib/topology/query/devices';
import { tunnelParams } from '@/lib/topology/inventory';
import { deviceEvidence } from '../evidence';
import { misdirectedTunnels, peerPodLinks } from '../peerpod';
import { rootAddressesOf } from '@/lib/topology/query/device-index';
import { inNetns, note, sh, type ShellLine } from '../fix';
import { on, type FixEntry } from '../fix-host';
import { deletePodCommands } from '../pod-owner';
import type { Topology } from '@/lib/topology/types';
import { finding } from '../finding';

const ENDPOINT = 'peerpod-tunnel-endpoint-mismatch';
const PARAMS = 'peerpod-vni-or-port-mismatch';

function recreate(topology: Topology, podIf: Device): ShellLine[] {
  return [
    note`tunnel endpoints and VNI are fixed when the peer pod is created: recreate the pod that owns netns ${podIf.ns.netns ?? '?'} on ${podIf.host.name}`,
    ...deletePodCommands(topology, podIf),
  ];
}

/**
 * Point a tunnel end at the address its far end sends from (that tunnel's `local`, else its host's first root
 * address): the kernel changes a VXLAN device's remote in place. Nothing when the far host shows no address.
 */
function remoteFix(topology: Topology, end: Device, far: Device): FixEntry[] {
  const address = tunnelParams(far.iface)?.local ?? [...rootAddressesOf(topology, far.host)][0];
  if (address === undefined) return [];
  return [on(end), inNetns(end.ns.netns, sh`ip link set dev ${end.iface.name} type vxlan remote ${address}`)];
}

export const peerpodTunnelEndpointMismatch: Rule = {
  id: ENDPOINT,
  severity: 'critical',
  title: 'Peer-pod tunnel points at an address the other end does not have',
  run(topology) {
    const out: Finding[] = [];
    const misdirected = misdirectedTunnels(topology);
    for (const { podIf, workerTunnel, podVm, tunnelEdge } of peerPodLinks(topology)) {
      if (!podVm) continue;
      const wRemote = tunnelParams(workerTunnel.iface)?.remote;
      const vRemote = tunnelParams(podVm.iface)?.remote;
      const vmAddrs = hostAddresses(podVm.host);
      const workerAddrs = hostAddresses(workerTunnel.host);
      const problems: string[] = [];
      const elements: string[] = [];
      const repoint: FixEntry[] = [];
      if (misdirected.has(workerTunnel.iface)) repoint.push(...remoteFix(topology, workerTunnel, podVm));
      if (misdirected.has(podVm.iface)) repoint.push(...remoteFix(topology, podVm, workerTunnel));
      if (misdirected.has(workerTunnel.iface)) {
        problems.push(
          `${workerTunnel.iface.name} on ${workerTunnel.host.name} sends to ${wRemote ?? '(no remote)'}, which is not an address of pod VM ${podVm.host.name} (${vmAddrs.join(', ') || 'none'})`,
        );
        elements.push(deviceId(workerTunnel));
      }
      if (misdirected.has(podVm.iface)) {
        problems.push(
          `${podVm.iface.name} on ${podVm.host.name} sends to ${vRemote ?? '(no remote)'}, which is not an address of worker ${workerTunnel.host.name} (${workerAddrs.join(', ') || 'none'})`,
        );
        elements.push(deviceId(podVm));
      }
      if (problems.length === 0) continue;
      out.push(
        finding(ENDPOINT, 'critical', {
          title: `Peer-pod tunnel endpoint mismatch between ${workerTunnel.host.name} and ${podVm.host.name}`,
          explanation:
            `${problems.join('; ')}. Encapsulated frames go to a host that has no tunnel for them (or nowhere), so ` +
            `traffic between the pod and its VM is lost in that direction. Usually the pod VM got a new IP (recreated, DHCP) ` +
            `or the worker picked another of its addresses.`,
          evidence: [deviceEvidence(workerTunnel), deviceEvidence(podVm)],
          elements: [...elements, ...(tunnelEdge ? [tunnelEdge] : [])],
          fix: [...repoint, ...recreate(topology, podIf)],
        }),
      );
    }
    return out;
  },
};

export const peerpodVniOrPortMismatch: Rule = {
  id: PARAMS,
  severity: 'critical',
  title: 'Peer-pod tunnel ends use different VNIs or UDP ports',
  run(topology) {
    const out: Finding[] = [];
    for (const { podIf, workerTunnel, podVm, tunnelEdge } of peerPodLinks(topology)) {
      if (!podVm) continue;
      const w = tunnelParams(workerTunnel.iface);
      const v = tunnelParams(podVm.iface);
      const diffs: string[] = [];
      if (w?.vni !== v?.vni) diffs.push(`VNI ${w?.vni ?? '?'} on the worker vs ${v?.vni ?? '?'} on the pod VM`);
      const wp = tunnelPort(workerTunnel.iface);
      const vp = tunnelPort(podVm.iface);
      if (wp !== vp) diffs.push(`UDP port ${wp ?? '?'} on the worker vs ${vp ?? '?'} on the pod VM`);
      if (diffs.length === 0) continue;
      out.push(
        finding(PARAMS, 'critical', {
          title: `Peer-pod tunnel ${workerTunnel.iface.name} ↔ ${podVm.iface.name}: ${diffs.join(', ')}`,
          explanation:
            `The two ends of the pod's tunnel disagree: ${diffs.join('; ')}. The receiving kernel only hands a VXLAN packet to a ` +
            `device whose VNI and port match, so every packet is dropped on arrival. Both ends normally come from the same ` +
            `cloud-api-adaptor configuration; a mismatch means the pod VM holds a config from another run or VXLAN_PORT/vxlan-min-id changed.`,
          evidence: [deviceEvidence(workerTunnel), deviceEvidence(podVm)],
          elements: [deviceId(workerTunnel), deviceId(podVm), ...(tunnelEdge ? [tunnelEdge] : [])],
          fix: recreate(topology, podIf),
        }),
      );
    }
    return out;
  },
};
