/** Every diagnosis rule, in one list: adding a rule is one file in this folder and one line here. */
import type { Rule } from '../types';
import { ciliumHostDatapathBroken } from './cilium-host-datapath-broken';
import { ciliumLxcBpfMissing } from './cilium-lxc-bpf-missing';
import { cni0BridgeAddressConflict } from './cni0-bridge-address-conflict';
import { conntrackTableFull } from './conntrack-table-full';
import { duplicateIpAddress } from './duplicate-ip-address';
import { duplicateMacAddress } from './duplicate-mac-address';
import { firewallDropsPodTraffic } from './firewall-drops-pod-traffic';
import { flannelAnnotationMismatch } from './flannel-annotation-mismatch';
import { ipForwardDisabled } from './ip-forward-disabled';
import { linkDownOrNoCarrier } from './link-down-or-no-carrier';
import { neighborMacMismatch } from './neighbor-mac-mismatch';
import { neighborUnresolved } from './neighbor-unresolved';
import { ovnDuplicateSystemId } from './ovn-duplicate-system-id';
import { ovnLspMacMismatch } from './ovn-lsp-mac-mismatch';
import { ovnMgmtPortBroken } from './ovn-mgmt-port-broken';
import { ovnPortNotBound } from './ovn-port-not-bound';
import { ovnkBrExMisconfigured } from './ovnk-br-ex-misconfigured';
import { ovnkDuplicateIfaceId } from './ovnk-duplicate-iface-id';
import { ovnkEncapIpMismatch } from './ovnk-encap-ip-mismatch';
import { ovnkGeneveMtuMismatch } from './ovnk-geneve-mtu-mismatch';
import { ovsInterfaceError } from './ovs-interface-error';
import { overlayVxlanParamMismatch } from './overlay-vxlan-param-mismatch';
import { ovsOvnVersionSkew } from './ovs-ovn-version-skew';
import { peerpodIpv6NotPropagated } from './peerpod-ipv6-not-propagated';
import { peerpodLeftoverPpvxlan } from './peerpod-leftover-ppvxlan';
import { peerpodMtuMismatch } from './peerpod-mtu-mismatch';
import { peerpodPermanentNeighNotPropagated } from './peerpod-permanent-neigh-not-propagated';
import { peerpodPodvmMacMismatch } from './peerpod-podvm-mac-mismatch';
import { peerpodRecordMismatch } from './peerpod-record-mismatch';
import { peerpodRoutesNotPropagated } from './peerpod-routes-not-propagated';
import { peerpodTcRedirectMissing } from './peerpod-tc-redirect-missing';
import { peerpodTunnelEndpointMismatch, peerpodVniOrPortMismatch } from './peerpod-tunnel-mismatch';
import { peerpodVxlanConntrackTracked } from './peerpod-vxlan-conntrack-tracked';
import { peerpodVxlanPortConflict } from './peerpod-vxlan-port-conflict';
import { podDefaultRouteBroken } from './pod-default-route-broken';
import { podMtuExceedsPath } from './pod-mtu-exceeds-path';
import { podRouteMissing } from './pod-route-missing';
import { podVethNotOnBridge } from './pod-veth-not-on-bridge';
import { rpFilterStrict } from './rp-filter-strict';
import { tunnelMtuBlackhole } from './tunnel-mtu-blackhole';
import { tunnelUnpaired } from './tunnel-unpaired';
import { vethMtuMismatch } from './veth-mtu-mismatch';
import { vethPeerBroken } from './veth-peer-broken';
import { vtepMacDisagreement } from './vtep-mac-disagreement';
import { vtepFdbMissing } from './vtep-fdb-missing';

export const RULES: readonly Rule[] = [
  peerpodPodvmMacMismatch,
  peerpodTcRedirectMissing,
  peerpodTunnelEndpointMismatch,
  peerpodVniOrPortMismatch,
  peerpodMtuMismatch,
  peerpodRecordMismatch,
  peerpodVxlanPortConflict,
  peerpodRoutesNotPropagated,
  peerpodPermanentNeighNotPropagated,
  peerpodIpv6NotPropagated,
  peerpodLeftoverPpvxlan,
  peerpodVxlanConntrackTracked,
  neighborMacMismatch,
  vtepMacDisagreement,
  flannelAnnotationMismatch,
  neighborUnresolved,
  tunnelUnpaired,
  overlayVxlanParamMismatch,
  vtepFdbMissing,
  cni0BridgeAddressConflict,
  tunnelMtuBlackhole,
  podMtuExceedsPath,
  vethMtuMismatch,
  linkDownOrNoCarrier,
  vethPeerBroken,
  ovsInterfaceError,
  ovnPortNotBound,
  podVethNotOnBridge,
  ovnMgmtPortBroken,
  ovnLspMacMismatch,
  ovnkDuplicateIfaceId,
  ovnkGeneveMtuMismatch,
  ovnkBrExMisconfigured,
  ovnkEncapIpMismatch,
  ovnDuplicateSystemId,
  ovsOvnVersionSkew,
  ciliumLxcBpfMissing,
  ciliumHostDatapathBroken,
  podDefaultRouteBroken,
  podRouteMissing,
  duplicateIpAddress,
  duplicateMacAddress,
  firewallDropsPodTraffic,
  ipForwardDisabled,
  rpFilterStrict,
  conntrackTableFull,
];
