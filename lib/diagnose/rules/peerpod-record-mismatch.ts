/**
 * A peer pod whose VM was not reached is still checked against what its worker's adaptor recorded for the VM
 * (the sandbox's `pod-network`): the worker's tunnel must use the recorded VNI and port, and the pod interface the
 * recorded MTU, which is what the VM's own tunnel device was given.
 */
import type { Finding, Rule } from '../types';
import type { PeerPodSandbox } from '@/lib/parse/types';
import { deviceId, globalAddresses, tunnelPort, type Device } from '@/lib/topology/query/devices';
import { tunnelParams } from '@/lib/topology/inventory';
import { deviceEvidence, entityEvidence } from '../evidence';
import { peerPodLinks } from '../peerpod';
import { note } from '../fix';
import { deletePodCommands } from '../pod-owner';
import { finding } from '../finding';

const ID = 'peerpod-record-mismatch';

function recordOf(podIf: Device): PeerPodSandbox | undefined {
  const ips = new Set(globalAddresses(podIf.iface));
  return podIf.host.peerpodSandboxes?.find((r) => r.podIp !== undefined && ips.has(r.podIp));
}

function differences(record: PeerPodSandbox, podIf: Device, tunnel: Device): string[] {
  const out: string[] = [];
  const vni = tunnelParams(tunnel.iface)?.vni;
  if (record.vni !== undefined && vni !== record.vni) out.push(`${tunnel.iface.name} uses VNI ${vni ?? '?'}, the record ${record.vni}`);
  const port = tunnelPort(tunnel.iface);
  if (record.port !== undefined && port !== record.port) out.push(`${tunnel.iface.name} sends to UDP port ${port ?? '?'}, the record ${record.port}`);
  const mtu = podIf.iface.mtu;
  if (record.mtu !== undefined && mtu !== undefined && mtu !== record.mtu) out.push(`${podIf.iface.name} has MTU ${mtu}, the pod VM was given ${record.mtu}`);
  return out;
}

export const peerpodRecordMismatch: Rule = {
  id: ID,
  severity: 'critical',
  title: "Peer-pod tunnel on the worker differs from the adaptor's record of its unreached pod VM",
  run(topology) {
    const out: Finding[] = [];
    for (const { podIf, workerTunnel, podVm } of peerPodLinks(topology)) {
      if (podVm) continue;
      const record = recordOf(podIf);
      const diffs = record ? differences(record, podIf, workerTunnel) : [];
      if (!record || diffs.length === 0) continue;
      out.push(
        finding(ID, 'critical', {
          title: `Peer pod on ${workerTunnel.host.name}: ${diffs.join(', ')}`,
          explanation:
            `The pod VM was not collected, but the worker's cloud-api-adaptor recorded what it gave the VM (sandbox ${record.sandbox}): ${diffs.join('; ')}. ` +
            `The VM's tunnel was built from that record, so the two ends disagree: a VXLAN packet whose VNI or port has no device on the ` +
            `receiving side is dropped, and an MTU above the other end's loses large packets.`,
          evidence: [deviceEvidence(workerTunnel), deviceEvidence(podIf), ...entityEvidence(podIf.host, null, record)],
          elements: [deviceId(workerTunnel), deviceId(podIf)],
          fix: [
            note`the tunnel and the VM's config are fixed when the peer pod is created: recreate the pod that owns netns ${podIf.ns.netns ?? '?'} on ${podIf.host.name}`,
            ...deletePodCommands(topology, podIf),
          ],
        }),
      );
    }
    return out;
  },
};
