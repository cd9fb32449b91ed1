/**
 * Everything known about one element, read from the topology and its host states, as titled rows for the
 * inspector: device properties, tunnel parameters, tc filters, OVS data, and the routes and neighbours that
 * point at it anywhere in the snapshot.
 */
import type { HostState, Interface, NamespaceState } from '@/lib/parse/types';
import { beyondLink, hostBrief, type HostBrief } from '@/lib/snapshot/subview';
import type { TopoEdge, TopoNode, Topology } from '@/lib/topology/types';
import { deviceClass } from '@/lib/graph/device-class';
import { findNamespace } from '@/lib/topology/inventory';

export interface InspectSection {
  title: string;
  rows: [string, string][];
}

export interface Inspection {
  id: string;
  title: string;
  subtitle: string;
  sections: InspectSection[];
}

function nsLabel(netns: string | null | undefined): string {
  return netns ? netns : 'root';
}

function section(title: string, rows: [string, string | number | boolean | undefined | null][]): InspectSection | null {
  const kept = rows.filter((r): r is [string, string | number | boolean] => r[1] !== undefined && r[1] !== null && r[1] !== '');
  return kept.length > 0 ? { title, rows: kept.map(([k, v]) => [k, String(v)]) } : null;
}

function deviceSection(iface: Interface, node: TopoNode): InspectSection | null {
  return section('Device', [
    ['Kind', iface.kind],
    ['MAC', iface.mac],
    ['MTU', iface.mtu],
    ['State', iface.operstate],
    ['Admin up', iface.up ? 'yes' : 'no'],
    ['Carrier', iface.lowerUp ? 'yes' : 'no'],
    ['Flags', iface.flags.join(' ')],
    ['ifindex', iface.ifindex],
    ['Master', iface.master],
    ['Peer ifindex', iface.linkIndex],
    ['Peer netns id', iface.linkNetnsId],
    ['Addresses', iface.addresses.map((a) => `${a.local}/${a.prefixlen}`).join(', ')],
    ['Marks', node.marks.join(', ')],
  ]);
}

function tunnelSection(iface: Interface): InspectSection | null {
  const params = iface.vxlan ?? iface.geneve;
  if (!params) return null;
  return section(iface.vxlan ? 'VXLAN' : 'Geneve', [
    ['VNI', params.vni],
    ['Remote', params.remote],
    ['Local', params.local],
    ['Group', params.group],
    ['Port', params.port],
    ['Underlay dev', params.dev],
    ['External', params.external],
    ['Learning', params.learning],
  ]);
}

function tcSection(ns: NamespaceState | undefined, name: string): InspectSection | null {
  if (!ns) return null;
  const rows: [string, string][] = [];
  for (const f of ns.tcFilters) {
    const actions = f.actions.map((a) => (a.mirredAction ? `${a.mirredAction} → ${a.toDev ?? '?'}` : a.kind)).join(', ');
    if (f.dev === name) rows.push([`${f.hook} ${f.kind}${f.pref !== undefined ? ` pref ${f.pref}` : ''}`, actions || f.bpfName || '']);
    else if (f.actions.some((a) => a.toDev === name)) rows.push([`from ${f.dev} ${f.hook}`, actions]);
  }
  return rows.length > 0 ? { title: 'tc filters', rows } : null;
}

function ovsSection(host: HostState | undefined, node: TopoNode): InspectSection | null {
  const ovsIface = node.ovsInterface ?? (node.netns ? undefined : host?.ovs?.interfaces.find((i) => i.name === node.label));
  if (!ovsIface) return null;
  const bridge = host?.ovs?.bridges.find((b) => b.ports.includes(ovsIface.name));
  return section('OVS port', [
    ['Bridge', bridge?.name],
    ['Type', ovsIface.type || 'system'],
    ['ofport', ovsIface.ofport],
    ['Error', ovsIface.error],
    ['MAC in use', ovsIface.macInUse],
    ['Link state', ovsIface.linkState],
    ...Object.entries(ovsIface.externalIds).map(([k, v]): [string, string] => [`external_ids:${k}`, v]),
    ...Object.entries(ovsIface.options).map(([k, v]): [string, string] => [`options:${k}`, v]),
  ]);
}

/** Routes and neighbours on the device itself, and anywhere in the snapshot that target its MAC or addresses. */
function pointersSection(topology: Topology, node: TopoNode, iface: Interface): InspectSection[] {
  const addresses = new Set(iface.addresses.map((a) => a.local));
  const mac = iface.mac?.toLowerCase();
  const routes: [string, string][] = [];
  const neighbours: [string, string][] = [];
  for (const host of topology.hosts) {
    for (const ns of host.namespaces) {
      const here = host.name === node.host && ns.netns === (node.netns ?? null);
      const where = `${host.name} · ${nsLabel(ns.netns)}`;
      for (const r of ns.routes) {
        if ((here && r.dev === iface.name) || (r.gateway && addresses.has(r.gateway))) {
          routes.push([`${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}`, `dev ${r.dev ?? '?'}${here ? '' : ` (${where})`}`]);
        }
      }
      for (const n of ns.neighbors) {
        const onDevice = here && n.dev === iface.name;
        const toMe = !onDevice && ((mac !== undefined && n.lladdr?.toLowerCase() === mac) || addresses.has(n.dst));
        if (onDevice || toMe) neighbours.push([n.dst, `${n.lladdr ?? '(none)'} ${n.state.join(',')} dev ${n.dev}${here ? '' : ` (${where})`}`]);
      }
    }
  }
  return [routes.length > 0 ? { title: 'Routes', rows: routes } : null, neighbours.length > 0 ? { title: 'Neighbours', rows: neighbours } : null].filter((s): s is InspectSection => s !== null);
}

/** The same IP on other devices: for a peer pod, the worker-side eth0 and the pod VM's tunnel device. */
function sameAddressSection(topology: Topology, node: TopoNode, iface: Interface): InspectSection | null {
  const addresses = new Set(iface.addresses.filter(beyondLink).map((a) => a.local));
  if (addresses.size === 0) return null;
  const rows: [string, string][] = [];
  for (const other of topology.nodes) {
    if (other.id === node.id || !other.iface) continue;
    const shared = other.iface.addresses.find((a) => addresses.has(a.local));
    if (shared) rows.push([`${other.host} · ${nsLabel(other.netns)} · ${other.label}`, `${shared.local} MAC ${other.iface.mac ?? '?'}`]);
  }
  return rows.length > 0 ? { title: 'Same address elsewhere', rows } : null;
}

function podVmSection(config: Record<string, unknown> | undefined): InspectSection | null {
  if (!config) return null;
  return section(
    'Pod VM network config',
    Object.entries(config).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

function interfaceSections(topology: Topology, node: TopoNode, host: HostState | undefined): InspectSection[] {
  const iface = node.iface;
  if (!iface) return [];
  const ns = host && findNamespace(host, node.netns ?? null);
  return [
    deviceSection(iface, node),
    tunnelSection(iface),
    tcSection(ns, iface.name),
    ovsSection(host, node),
    ...pointersSection(topology, node, iface),
    sameAddressSection(topology, node, iface),
    iface.kind === 'vxlan' || iface.kind === 'geneve' ? podVmSection(host?.peerpodConfig) : null,
    iface.source ? { title: 'Source', rows: [[iface.source.command, iface.source.lines.join('\n')]] as [string, string][] } : null,
  ].filter((s): s is InspectSection => s !== null);
}

/** A pod VM as its worker's adaptor recorded it, and how (or whether) the VM itself was reached. */
function workerRecordSection(node: TopoNode): InspectSection | null {
  const facts = node.podVm;
  if (!facts) return null;
  const e = facts.expected;
  return section('Pod VM as its worker recorded it', [
    ['Peer pod', facts.pod],
    ['Worker', facts.worker],
    ['Sandbox', facts.sandbox],
    ['Reached by', facts.reachedBy],
    ['Not reached', facts.unreached],
    ['Pod IP', e.podIp === undefined ? undefined : `${e.podIp}${e.podPrefix === undefined ? '' : `/${e.podPrefix}`}`],
    ['Pod MAC', e.podMac],
    ['VNI', e.vni],
    ['UDP port', e.port],
    ['MTU', e.mtu],
    ['Remote (worker)', e.workerIp],
  ]);
}

function hostSections(node: TopoNode, host: HostBrief | undefined): InspectSection[] {
  if (!host) return [workerRecordSection(node)].filter((s): s is InspectSection => s !== null);
  return [
    section('Host', [
      ['Role', host.role],
      ['Capture', host.status],
      ['Error', host.error],
      ['Namespaces', host.namespaces],
      ['Interfaces', host.interfaces],
      ['OVS bridges', host.bridges.join(', ')],
      ['Missing tools', host.missingTools.join(', ')],
      ['Parse problems', host.problems || undefined],
      ['Marks', node.marks.join(', ')],
    ]),
    workerRecordSection(node),
    podVmSection(host.peerpodConfig),
  ].filter((s): s is InspectSection => s !== null);
}

function netnsSections(node: TopoNode, host: HostState | undefined): InspectSection[] {
  const ns = host && findNamespace(host, node.netns ?? null);
  if (!ns) return [];
  return [
    section('Namespace', [
      ['Name', ns.netns ?? 'root'],
      ['Interfaces', ns.interfaces.map((i) => i.name).join(', ')],
      ['nsids', ns.netnsIds.map((n) => `${n.nsid}${n.name ? `=${n.name}` : ''}`).join(', ')],
    ]),
    ns.routes.length > 0 ? { title: 'Routes', rows: ns.routes.map((r): [string, string] => [r.dst, `${r.gateway ? `via ${r.gateway} ` : ''}dev ${r.dev ?? '?'}`]) } : null,
  ].filter((s): s is InspectSection => s !== null);
}

function bridgeSections(node: TopoNode, host: HostState | undefined): InspectSection[] {
  const bridge = node.bridge;
  if (!bridge) return [];
  const ports = bridge.ports.map((p): [string, string] => {
    const iface = host?.ovs?.interfaces.find((i) => i.name === p || i.uuid === p);
    const ids = iface
      ? Object.entries(iface.externalIds)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')
      : '';
    return [iface?.name ?? p, `ofport ${iface?.ofport ?? '?'} ${iface?.type || 'system'}${iface?.error ? ` error: ${iface.error}` : ''} ${ids}`.trim()];
  });
  return [
    section('OVS bridge', [
      ['Name', bridge.name],
      ['Datapath', bridge.datapathType],
      ['Fail mode', bridge.failMode],
      ...Object.entries(bridge.externalIds).map(([k, v]): [string, string] => [`external_ids:${k}`, v]),
    ]),
    ports.length > 0 ? { title: 'Ports', rows: ports } : null,
  ].filter((s): s is InspectSection => s !== null);
}

/** Hosts listed by name in a segment's inspection; a flat subnet of a big cluster lists the rest as a count. */
const SEGMENT_HOSTS_LISTED = 50;

function segmentSections(topology: Topology, node: TopoNode): InspectSection[] {
  const members = topology.edges
    .filter((e) => e.kind === 'underlay' && (e.source === node.id || e.target === node.id))
    .map((e): [string, string] => {
      const other = topology.nodes.find((n) => n.id === (e.source === node.id ? e.target : e.source));
      return [other?.host || other?.label || (e.source === node.id ? e.target : e.source), e.label ?? ''];
    });
  const rest = members.length - SEGMENT_HOSTS_LISTED;
  return [
    section('Segment', [
      ['Subnet', node.label],
      ['Hosts', members.length > 0 ? members.length : undefined],
    ]),
    section('Hosts on it', [...members.slice(0, SEGMENT_HOSTS_LISTED), ...(rest > 0 ? [[`… ${rest} more`, ''] as [string, string]] : [])]),
  ].filter((s): s is InspectSection => s !== null);
}

function podSections(node: TopoNode): InspectSection[] {
  const pod = node.pod;
  if (!pod) return [];
  return [
    section('Pod', [
      ['Namespace', pod.namespace],
      ['Name', pod.name],
      ['IP', pod.ip ?? pod.ips?.join(', ')],
      ['Node', pod.nodeName],
      ['Runtime class', pod.runtimeClassName],
    ]),
    pod.annotations ? section('Annotations', Object.entries(pod.annotations)) : null,
  ].filter((s): s is InspectSection => s !== null);
}

function inspectEdge(edge: TopoEdge, byId: Map<string, TopoNode>): Inspection {
  const end = (id: string) => {
    const n = byId.get(id);
    return n ? `${n.host} · ${nsLabel(n.netns)} · ${n.label}` : id;
  };
  const sections = [
    section('Edge', [
      ['Kind', edge.kind],
      ['From', end(edge.source)],
      ['To', end(edge.target)],
      ['Directed', edge.directed ? 'yes' : 'no'],
      ['Label', edge.label],
      ['VNI', edge.vni],
      ['Port', edge.port],
      ['Marks', edge.marks.join(', ')],
    ]),
  ].filter((s): s is InspectSection => s !== null);
  return { id: edge.id, title: edge.label ?? edge.kind, subtitle: edge.kind, sections };
}

/**
 * `briefs` stand in for host states that are not in `topology` (an overview or one host's cut of a snapshot)
 * and win over them, because a cut keeps of other hosts only what points at its own devices.
 */
export function inspect(topology: Topology, id: string, briefs: HostBrief[] = []): Inspection | null {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const node = byId.get(id);
  if (!node) {
    const edge = topology.edges.find((e) => e.id === id);
    return edge ? inspectEdge(edge, byId) : null;
  }
  const host = topology.hosts.find((h) => h.name === node.host);
  const brief = () => briefs.find((b) => b.name === node.host) ?? (host ? hostBrief(host) : undefined);
  const sections =
    node.kind === 'interface'
      ? interfaceSections(topology, node, host)
      : node.kind === 'host'
        ? hostSections(node, brief())
        : node.kind === 'netns'
          ? netnsSections(node, host)
          : node.kind === 'ovs-bridge'
            ? bridgeSections(node, host)
            : node.kind === 'segment'
              ? segmentSections(topology, node)
              : podSections(node);
  const where = node.kind === 'host' ? (node.role ?? 'host') : node.kind === 'segment' ? 'shared underlay' : `${node.host} · ${nsLabel(node.netns)}`;
  return { id, title: node.label, subtitle: `${deviceClass(node)} · ${where}`, sections };
}

/**
 * Inspects in one host's cut of a snapshot (subview.ts), where other hosts' devices are only far ends: the
 * host's own elements, its edges and host nodes are answered as on the whole snapshot, the rest not at all.
 */
export function inspectInCut(topology: Topology, id: string, briefs: HostBrief[], host: string): Inspection | null {
  const node = topology.nodes.find((n) => n.id === id);
  if (node && node.kind !== 'host' && node.kind !== 'segment' && node.host !== host) return null;
  return inspect(topology, id, briefs);
}
