/**
 * What flanneld publishes on its Node object for the other nodes (VXLAN backend): its VTEP's MAC in backend-data
 * and the underlay address to send to in public-ip. The other nodes' flanneld program their neighbour and FDB
 * entries for it from these, so they are the reference for a VTEP the capture does not hold.
 */
import { FLANNEL_BACKEND_DATA as BACKEND_DATA, FLANNEL_PUBLIC_IP as PUBLIC_IP, type ClusterContext, type ClusterNode } from '@/lib/capture/types';
import type { Evidence } from './types';
import { isZeroMac, networkOf } from './ip';

/** What flanneld on a node published for the others: they program their neighbour and FDB entries from it. */
export interface Published {
  node: ClusterNode;
  mac?: string;
  publicIp?: string;
  vni?: number;
  evidence: Evidence;
}

export function published(node: ClusterNode): Published | undefined {
  const raw = node.annotations?.[BACKEND_DATA];
  const publicIp = node.annotations?.[PUBLIC_IP];
  let data: unknown;
  try {
    data = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    data = undefined;
  }
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const mac = typeof record.VtepMAC === 'string' && !isZeroMac(record.VtepMAC) ? record.VtepMAC : undefined;
  const vni = typeof record.VNI === 'number' ? record.VNI : undefined;
  if (mac === undefined && publicIp === undefined) return undefined;
  const lines = [...(raw === undefined ? [] : [`${BACKEND_DATA}: '${raw}'`]), ...(publicIp === undefined ? [] : [`${PUBLIC_IP}: ${publicIp}`])];
  return { node, mac, publicIp, vni, evidence: { host: node.name, netns: null, command: `kubectl get node ${node.name} -o yaml`, lines } };
}

/** The overlay address of a node's VTEP: flannel gives it the network address of the node's pod CIDR. */
export function vtepAddressOf(node: ClusterNode): string | undefined {
  const cidr = node.podCIDRs?.find((c) => !c.includes(':'));
  const [ip, len] = cidr?.split('/') ?? [];
  return ip === undefined || len === undefined ? undefined : networkOf(ip, Number(len))?.split('/')[0];
}

/** The MAC a node publishes for the VTEP that holds `address` (its pod CIDR's network address). */
export function publishedVtepMac(cluster: ClusterContext | undefined, address: string): string | undefined {
  const node = cluster?.nodes.find((n) => vtepAddressOf(n) === address);
  return node === undefined ? undefined : published(node)?.mac;
}
