/** Evidence quotes the exact output lines a fact was parsed from, with host, namespace and command. */
import type { HostState, Interface, NamespaceState, SourceRef } from '@/lib/parse/types';
import type { Evidence } from './types';
import type { Device } from '@/lib/topology/query/devices';

export function quote(host: HostState | string, netns: string | null, source: SourceRef): Evidence {
  return { host: typeof host === 'string' ? host : host.name, netns, command: source.command, lines: [...source.lines] };
}

/** When a parser kept no source, restate the fact in the shape `ip -d link` prints it. */
function describeLink(iface: Interface): string {
  const flags = iface.flags.join(',');
  const parts = [`${iface.ifindex}: ${iface.name}: <${flags}>`];
  if (iface.mtu !== undefined) parts.push(`mtu ${iface.mtu}`);
  if (iface.master) parts.push(`master ${iface.master}`);
  if (iface.operstate) parts.push(`state ${iface.operstate}`);
  if (iface.mac) parts.push(`link/ether ${iface.mac}`);
  return parts.join(' ');
}

export function deviceEvidence(device: Device): Evidence {
  const { host, ns, iface } = device;
  return iface.source ? quote(host, ns.netns, iface.source) : { host: host.name, netns: ns.netns, command: 'ip -d link show', lines: [describeLink(iface)] };
}

/** Evidence for any parsed entity that may carry a source; entities without one are skipped. */
export function entityEvidence(host: HostState, ns: NamespaceState | null, entity: { source?: SourceRef }): Evidence[] {
  return entity.source ? [quote(host, ns?.netns ?? null, entity.source)] : [];
}

/** Merges evidence from the same host, namespace and command, keeping each line once. */
export function mergeEvidence(items: Evidence[]): Evidence[] {
  const out: Evidence[] = [];
  for (const item of items) {
    const same = out.find((e) => e.host === item.host && e.netns === item.netns && e.command === item.command);
    if (!same) out.push({ ...item, lines: [...item.lines] });
    else for (const line of item.lines) if (!same.lines.includes(line)) same.lines.push(line);
  }
  return out;
}
