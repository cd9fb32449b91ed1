import type { Finding, Rule } from '../types';
import { deviceId, tunnelPort, type Device } from '@/lib/topology/query/devices';
import { tunnelParams } from '@/lib/topology/inventory';
import { deviceEvidence } from '../evidence';
import { overlayVteps } from '../vteps';
import { note, part, sh } from '../fix';
import { on } from '../fix-host';
import { restartOverlayAgent } from '../agents';
import { finding } from '../finding';

const ID = 'overlay-vxlan-param-mismatch';

function signature(d: Device): string {
  return `VNI ${tunnelParams(d.iface)?.vni ?? '?'} port ${tunnelPort(d.iface) ?? '?'}`;
}

export const overlayVxlanParamMismatch: Rule = {
  id: ID,
  severity: 'critical',
  title: 'Overlay VTEPs on different nodes use different VNIs or UDP ports',
  run(topology, cluster) {
    const out: Finding[] = [];
    for (const [name, vteps] of overlayVteps(topology)) {
      const bySig = new Map<string, Device[]>();
      for (const v of vteps) bySig.set(signature(v), [...(bySig.get(signature(v)) ?? []), v]);
      if (bySig.size < 2) continue;
      const ranked = [...bySig.entries()].sort((a, b) => b[1].length - a[1].length);
      const [majority, ...others] = ranked;
      if (!majority) continue;
      const odd = others.flatMap(([, devs]) => devs);
      out.push(
        finding(ID, 'critical', {
          title: `${name}: ${ranked.map(([sig, devs]) => `${sig} on ${devs.map((d) => d.host.name).join(', ')}`).join(' vs ')}`,
          explanation:
            `Every node's ${name} must use the same VNI and UDP port: a node only accepts VXLAN packets on the port it listens on ` +
            `and for the VNI of its device. ${odd.map((d) => d.host.name).join(', ')} differ from the rest (${majority[0]}), so ` +
            `pod traffic between them and the other nodes is dropped on arrival.`,
          evidence: vteps.map(deviceEvidence),
          elements: odd.map(deviceId),
          fix: [
            note`the kernel cannot change a VXLAN device's VNI or port: set ${majority[0]} in the CNI config everywhere (flannel net-conf.json Backend.VNI/Port, Calico VXLANPort), then`,
            ...odd.flatMap((d) => [on(d), sh`ip link delete ${name}`, ...restartOverlayAgent(topology, cluster, d.host, name, part`creates ${name} again from the config`)]),
          ],
        }),
      );
    }
    return out;
  },
};
