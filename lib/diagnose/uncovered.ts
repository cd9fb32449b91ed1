/** Catalog faults (reference/fault-catalog.md §3) that no rule checks yet, and what would be needed to show them. */
export interface UncoveredFault {
  id: string;
  title: string;
  needs: string;
}

export const UNCOVERED_FAULTS: UncoveredFault[] = [
  { id: 'peerpod-vni-collision', title: 'Two peer pods on one worker share a VNI/port', needs: 'cloud-api-adaptor logs ("too many") or the expected pod list per worker, to tell a missing tunnel from a collision' },
  { id: 'peerpod-leftover-ppvxlan', title: 'Leftover host-namespace tunnel from an aborted peer-pod setup', needs: 'the CAA device naming in use or its Setup log; a root-namespace vxlan alone is not proof' },
  { id: 'peerpod-vxlan-port-conflict', title: 'Collect-metadata and peer-pod VXLAN devices on the same UDP port', needs: 'a rule pairing external devices with CAA tunnels on the same port (data is collected; rule not written yet)' },
  { id: 'peerpod-vxlan-underlay-blocked', title: 'Underlay drops the tunnel UDP port', needs: 'two snapshots of stats64 tx/rx on the tunnel devices, and cloud security-group rules' },
  { id: 'peerpod-permanent-neigh-not-propagated', title: 'PERMANENT neighbours of the pod missing in the pod VM', needs: 'a rule comparing W/pod and V/podns PERMANENT neighbours (data is collected; rule not written yet)' },
  { id: 'peerpod-routes-not-propagated', title: 'Pod routes missing in the pod VM namespace', needs: 'a rule comparing W/pod and V/podns routes beyond the default route (data is collected; rule not written yet)' },
  { id: 'peerpod-worker-ip-ambiguous', title: 'Worker primary interface with several IPv4 addresses', needs: 'the node InternalIP from the cluster context, to know which address the pod VM should use' },
  { id: 'peerpod-vxlan-conntrack-tracked', title: 'Peer-pod VXLAN UDP tracked by conntrack', needs: 'iptables-save -t raw on worker and pod VM, and conntrack -S / nf_conntrack_count' },
  { id: 'peerpod-external-net-misrouted', title: 'External network via pod VM misrouted', needs: 'the POD_SUBNET_CIDRS / ext-network-via-podvm configuration of the peer-pods config map' },
  { id: 'peerpod-ipv6-not-propagated', title: 'Pod IPv6 not carried into the pod VM', needs: 'a rule comparing inet6 addresses of W/pod and V/podns (data is collected; rule not written yet)' },
  { id: 'ovnk-mgmt-port-route-wrong', title: 'Cluster CIDR not routed via the management port', needs: 'the cluster CIDR and node subnet (node annotations k8s.ovn.org/node-subnets, network config)' },
  { id: 'ovnk-mgmt-gw-neigh-stale', title: 'Stale neighbour for the node-subnet gateway on the management port', needs: 'the node subnet from node annotations, to know the .1 gateway and its expected MAC' },
  { id: 'ovnk-duplicate-iface-id', title: 'Two OVS interfaces with the same iface-id', needs: 'a rule grouping OVS interfaces by iface-id (data is collected; rule not written yet)' },
  { id: 'ovnk-geneve-mtu-mismatch', title: 'Encap interface MTU too small for pod MTU + 58', needs: 'a rule joining ovn-encap-ip to its interface MTU (data is collected; rule not written yet)' },
  { id: 'ovnk-br-ex-misconfigured', title: 'Uplink still holds the node IP instead of br-ex', needs: 'ovn-bridge-mappings resolution to the physical port (data is collected; rule not written yet)' },
  { id: 'ovnk-encap-ip-mismatch', title: 'ovn-encap-ip is not this node\'s address', needs: 'the node InternalIP from the cluster context and the other nodes\' encap IPs' },
  { id: 'ovn-duplicate-system-id', title: 'Two nodes with the same OVS system-id', needs: 'a cross-host comparison of Open_vSwitch external_ids:system-id (data is collected; rule not written yet)' },
  { id: 'ovs-ovn-version-skew', title: 'OVS/OVN versions differ across nodes', needs: 'ovn-controller and northd versions (ovn-appctl version), not only ovs_version' },
  { id: 'cilium-lxc-bpf-missing', title: 'Cilium lxc device without its BPF program', needs: 'bpftool -j net show on kernels ≥ 6.6, where tcx attachments leave tc filter output empty' },
  { id: 'cilium-host-datapath-broken', title: 'cilium_host/cilium_net/cilium_vxlan broken', needs: 'the Cilium tunnel mode and node pod CIDR (cilium config map, CiliumNode)' },
  { id: 'cni0-bridge-address-conflict', title: 'Bridge CNI gateway address outside the node pod subnet', needs: 'the node .spec.podCIDR or /run/flannel/subnet.env' },
  { id: 'overlay-udp-blocked-or-conntrack-full', title: 'Conntrack table full', needs: 'conntrack -S or /proc/sys/net/netfilter/nf_conntrack_count and _max' },
];
