/** FDB-driven overlay VTEPs (flannel.N, vxlan.calico): no remote, not collect-metadata, one per node in the root namespace. */
import type { Topology } from '@/lib/topology/types';
import type { HostState } from '@/lib/parse/types';
import { allDevices, globalAddresses, isPlainTunnel, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { tunnelParams } from '@/lib/topology/inventory';

/** flannel's VTEP, flannel.<VNI>, in the root namespace. */
export function flannelVtep(host: HostState): Device | undefined {
  const root = rootNamespace(host);
  const iface = root?.interfaces.find((i) => /^flannel\.\d+$/.test(i.name) && isPlainTunnel(i));
  return root && iface ? { host, ns: root, iface } : undefined;
}

export function overlayVteps(topology: Topology): Map<string, Device[]> {
  const groups = new Map<string, Device[]>();
  for (const d of allDevices(topology)) {
    const params = tunnelParams(d.iface);
    if (d.ns.netns !== null || !isPlainTunnel(d.iface) || params?.remote !== undefined || params?.group !== undefined) continue;
    groups.set(d.iface.name, [...(groups.get(d.iface.name) ?? []), d]);
  }
  return groups;
}

/** The underlay address a VTEP sends from: `local`, else the address of its lower device. */
export function vtepAddress(vtep: Device): string | undefined {
  const params = tunnelParams(vtep.iface);
  if (params?.local !== undefined) return params.local;
  const lower = vtep.ns.interfaces.find((i) => i.name === params?.dev);
  return lower ? globalAddresses(lower)[0] : undefined;
}
