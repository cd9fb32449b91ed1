import type { Finding, Rule } from '../types';
import { hostId } from '@/lib/topology/ids';
import { rootNamespace } from '@/lib/topology/inventory';
import { podVethHostEnds } from '../veth';
import { sh } from '../fix';
import { finding } from '../finding';

const ID = 'ip-forward-disabled';

export const ipForwardDisabled: Rule = {
  id: ID,
  severity: 'critical',
  title: 'IP forwarding is off on a node that routes pod traffic',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const root = rootNamespace(host);
      if (!root || root.sysctls['net.ipv4.ip_forward'] !== '0') continue;
      // A pod VM only terminates its tunnel: the kernel decapsulates straight into podns, nothing is forwarded.
      const routesPods = podVethHostEnds(host).length > 0 || host.role === 'worker' || host.role === 'node';
      if (!routesPods) continue;
      out.push(
        finding(ID, 'critical', {
          title: `net.ipv4.ip_forward = 0 on ${host.name}`,
          explanation:
            `${host.name} forwards packets between its pods, the overlay and the uplink, but net.ipv4.ip_forward is 0, so the ` +
            `kernel drops every packet not addressed to the host itself: pods lose everything beyond their own node. ` +
            `Some packages and hardening profiles reset this sysctl on boot.`,
          evidence: [{ host: host.name, netns: null, command: 'sysctl net.ipv4.ip_forward', lines: ['net.ipv4.ip_forward = 0'] }],
          elements: [hostId(host.name)],
          fix: [sh`sysctl -w net.ipv4.ip_forward=1`, sh`echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/99-kubernetes.conf`],
        }),
      );
    }
    return out;
  },
};
