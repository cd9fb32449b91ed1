import { must } from './exec';
import { onHost } from './host';
import { FABRIC_GATEWAY, FABRIC_NETNS, UNDERLAY_PREFIX } from './scenarios';
import type { LabHost } from './types';

/** The underlay: one Linux bridge in its own namespace, one veth per host; the host end looks like a NIC. */
export async function createFabric(): Promise<void> {
  await must(['ip', 'netns', 'add', FABRIC_NETNS], 'creating the underlay');
  const inFabric = (args: string[]) => must(['ip', '-n', FABRIC_NETNS, ...args], 'configuring the underlay');
  await inFabric(['link', 'set', 'lo', 'up']);
  await inFabric(['link', 'add', 'br0', 'type', 'bridge']);
  await inFabric(['addr', 'add', `${FABRIC_GATEWAY}/${UNDERLAY_PREFIX}`, 'dev', 'br0']);
  await inFabric(['link', 'set', 'br0', 'up']);
}

export const UPLINK = 'ens3';

/**
 * Plugs a host into the fabric. Transmit checksum offload is turned off on the uplink: frames that cross the
 * OVS userspace datapath keep a partial checksum otherwise and the receiving kernel drops the VXLAN UDP packets.
 */
export async function plugHost(host: LabHost, port: string): Promise<void> {
  await must(['ip', '-n', FABRIC_NETNS, 'link', 'add', port, 'type', 'veth', 'peer', 'name', UPLINK, 'netns', host.netns], `plugging ${host.name}`);
  await must(['ip', '-n', FABRIC_NETNS, 'link', 'set', port, 'master', 'br0', 'up'], `plugging ${host.name}`);
  await onHost(host, ['ethtool', '-K', UPLINK, 'tx', 'off']);
  await onHost(host, ['ip', 'link', 'set', UPLINK, 'up']);
}

/** Puts the node IP straight on the uplink (pod VMs and the non-OVN nodes). */
export async function addressUplink(host: LabHost, ip: string): Promise<void> {
  await onHost(host, ['ip', 'addr', 'add', `${ip}/${UNDERLAY_PREFIX}`, 'dev', UPLINK]);
  await onHost(host, ['ip', 'route', 'add', 'default', 'via', FABRIC_GATEWAY, 'dev', UPLINK]);
}
