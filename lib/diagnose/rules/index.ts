/** Every diagnosis rule, in one list: adding a rule is one file in this folder and one line here. */
import type { Rule } from '../types';
import { duplicateIpAddress } from './duplicate-ip-address';
import { duplicateMacAddress } from './duplicate-mac-address';
import { firewallDropsPodTraffic } from './firewall-drops-pod-traffic';
import { ipForwardDisabled } from './ip-forward-disabled';
import { linkDownOrNoCarrier } from './link-down-or-no-carrier';
import { neighborMacMismatch } from './neighbor-mac-mismatch';
import { neighborUnresolved } from './neighbor-unresolved';
import { ovnLspMacMismatch } from './ovn-lsp-mac-mismatch';
import { ovnMgmtPortBroken } from './ovn-mgmt-port-broken';
import { ovnPortNotBound } from './ovn-port-not-bound';
import { ovsInterfaceError } from './ovs-interface-error';
import { overlayVxlanParamMismatch } from './overlay-vxlan-param-mismatch';
import { peerpodMtuMismatch } from './peerpod-mtu-mismatch';
import { peerpodPodvmMacMismatch } from './peerpod-podvm-mac-mismatch';
import { peerpodTcRedirectMissing } from './peerpod-tc-redirect-missing';
import { peerpodTunnelEndpointMismatch, peerpodVniOrPortMismatch } from './peerpod-tunnel-mismatch';
import { podDefaultRouteBroken } from './pod-default-route-broken';
import { podRouteMissing } from './pod-route-missing';
import { podVethNotOnBridge } from './pod-veth-not-on-bridge';
import { rpFilterStrict } from './rp-filter-strict';
import { tunnelMtuBlackhole } from './tunnel-mtu-blackhole';
import { tunnelUnpaired } from './tunnel-unpaired';
import { vethMtuMismatch } from './veth-mtu-mismatch';
import { vethPeerBroken } from './veth-peer-broken';
import { vtepFdbMissing } from './vtep-fdb-missing';

export const RULES: readonly Rule[] = [
  peerpodPodvmMacMismatch,
  peerpodTcRedirectMissing,
  peerpodTunnelEndpointMismatch,
  peerpodVniOrPortMismatch,
  peerpodMtuMismatch,
  neighborMacMismatch,
  neighborUnresolved,
  tunnelUnpaired,
  overlayVxlanParamMismatch,
  vtepFdbMissing,
  tunnelMtuBlackhole,
  vethMtuMismatch,
  linkDownOrNoCarrier,
  vethPeerBroken,
  ovsInterfaceError,
  ovnPortNotBound,
  podVethNotOnBridge,
  ovnMgmtPortBroken,
  ovnLspMacMismatch,
  podDefaultRouteBroken,
  podRouteMissing,
  duplicateIpAddress,
  duplicateMacAddress,
  firewallDropsPodTraffic,
  ipForwardDisabled,
  rpFilterStrict,
];
