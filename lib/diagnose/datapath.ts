/** Devices that pod traffic crosses: a fault on one of them cuts pods off, a fault elsewhere may be harmless. */
import type { Topology } from '@/lib/topology/types';
import { allDevices, globalAddresses, isPlainTunnel, tunnelKind, type Device } from '@/lib/topology/query/devices';
import { ovsBridgeOf, ovsInterface } from './ovs';
import { redirectsIn } from './redirects';
import { uplinkName } from './routes';
import { podVethHostEnds } from './veth';

export function podPathDevices(topology: Topology): Device[] {
  const picked = new Set<Device['iface']>();
  const out: Device[] = [];
  const add = (d: Device): void => {
    if (!picked.has(d.iface)) {
      picked.add(d.iface);
      out.push(d);
    }
  };
  for (const d of allDevices(topology)) {
    const { ns, iface } = d;
    if (iface.kind === 'loopback') continue;
    const redirected = redirectsIn(ns).some((r) => r.from === iface.name || r.to === iface.name);
    if (ns.netns !== null && (globalAddresses(iface).length > 0 || redirected || isPlainTunnel(iface))) add(d);
    else if (ns.netns === null) {
      // Overlay devices, the uplink, and OVN-bound internal ports (management port) carry pod traffic.
      const bound = ovsInterface(d.host, iface.name)?.externalIds['iface-id'] !== undefined && ovsInterface(d.host, iface.name)?.type === 'internal';
      if ((tunnelKind(iface) !== undefined && globalAddresses(iface).length > 0) || redirected || bound || iface.name === uplinkName(ns)) add(d);
    }
  }
  for (const host of topology.hosts) {
    for (const { hostEnd } of podVethHostEnds(host)) {
      add(hostEnd);
      const bridge = hostEnd.iface.master;
      const master = bridge ? hostEnd.ns.interfaces.find((i) => i.name === bridge && i.kind === 'bridge') : undefined;
      if (master && !ovsBridgeOf(host, hostEnd.iface.name)) add({ ...hostEnd, iface: master });
    }
  }
  return out;
}
