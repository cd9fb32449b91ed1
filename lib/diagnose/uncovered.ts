/** Catalog faults (reference/fault-catalog.md §3) that no rule checks yet, and what would be needed to show them. */
export interface UncoveredFault {
  id: string;
  title: string;
  needs: string;
}

export const UNCOVERED_FAULTS: UncoveredFault[] = [
  {
    id: 'peerpod-vni-collision',
    title: 'Two peer pods on one worker share a VNI/port',
    needs: 'cloud-api-adaptor logs ("too many") or the expected pod list per worker, to tell a missing tunnel from a collision',
  },
  {
    id: 'peerpod-vxlan-underlay-blocked',
    title: 'Underlay drops the tunnel UDP port',
    needs:
      'a second capture: comparing two snapshots (tunnelscope diff, or Compare… on the dashboard) finds the tunnel end that sends while the far end receives nothing (tunnel-traffic-one-way); the cloud security-group rules name the culprit',
  },
  {
    id: 'peerpod-worker-ip-ambiguous',
    title: 'Worker primary interface with several IPv4 addresses',
    needs: 'the node InternalIP from the cluster context, to know which address the pod VM should use',
  },
  {
    id: 'peerpod-external-net-misrouted',
    title: 'External network via pod VM misrouted',
    needs: 'the POD_SUBNET_CIDRS / ext-network-via-podvm configuration of the peer-pods config map',
  },
  {
    id: 'ovnk-mgmt-port-route-wrong',
    title: 'Cluster CIDR not routed via the management port',
    needs: 'the cluster CIDR and node subnet (node annotations k8s.ovn.org/node-subnets, network config)',
  },
  {
    id: 'ovnk-mgmt-gw-neigh-stale',
    title: 'Stale neighbour for the node-subnet gateway on the management port',
    needs:
      'the ovn-kubernetes release or its node annotations: the node subnet shows on ovn-k8s-mp0, but releases differ in pinning the .1 neighbour (the lab capture has none), so its absence is not proof',
  },
  {
    id: 'overlay-udp-blocked-or-conntrack-full',
    title: 'Underlay silently drops overlay UDP',
    needs:
      'a second capture: comparing two snapshots finds tunnels whose sent packets never arrive (tunnel-traffic-one-way); host iptables drops are checked by firewall-drops-pod-traffic, conntrack drops by conntrack-table-full, the cloud firewall rules are outside any capture',
  },
];
