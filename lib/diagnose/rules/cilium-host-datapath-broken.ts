import type { Finding, Rule } from '../types';
import type { HostState, NamespaceState } from '@/lib/parse/types';
import { hostId } from '@/lib/topology/ids';
import { deviceId, isOperDown, tunnelPort, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { tunnelParams } from '@/lib/topology/inventory';
import { deviceEvidence } from '../evidence';
import { vethPeer } from '../veth';
import type { ClusterContext } from '@/lib/capture/types';
import type { Topology } from '@/lib/topology/types';
import { note, sh, type ShellLine } from '../fix';
import { restartAgent } from '../agents';
import { finding } from '../finding';

const ID = 'cilium-host-datapath-broken';

/** Cilium's tunnel devices, present in tunnel mode only: cilium_vxlan (UDP 8472 by default) or cilium_geneve (6081). */
const TUNNELS = ['cilium_vxlan', 'cilium_geneve'];

interface Problem {
  text: string;
  devices: Device[];
  fix: ShellLine[];
}

function device(host: HostState, ns: NamespaceState, name: string): Device | undefined {
  const iface = ns.interfaces.find((i) => i.name === name);
  return iface ? { host, ns, iface } : undefined;
}

function pairProblems(ciliumHost: Device | undefined, ciliumNet: Device | undefined): Problem[] {
  if (!ciliumHost || !ciliumNet) {
    const missing = ciliumHost ? 'cilium_net' : 'cilium_host';
    return [{ text: `${missing} is missing`, devices: [ciliumHost ?? ciliumNet].filter((d): d is Device => d !== undefined), fix: [] }];
  }
  const out: Problem[] = [];
  const peer = vethPeer(ciliumHost);
  if (ciliumHost.iface.kind === 'veth' && peer.status === 'missing') {
    out.push({ text: 'cilium_host has lost its veth peer cilium_net', devices: [ciliumHost, ciliumNet], fix: [] });
  }
  for (const d of [ciliumHost, ciliumNet]) {
    if (isOperDown(d.iface)) out.push({ text: `${d.iface.name} is down`, devices: [d], fix: [sh`ip link set ${d.iface.name} up`] });
  }
  return out;
}

/** The router IP: exactly one IPv4 address on cilium_host, inside the node's pod CIDR. */
function routerIpProblems(ciliumHost: Device | undefined): Problem[] {
  const v4 = ciliumHost?.iface.addresses.filter((a) => a.family === 'inet' && a.scope !== 'host') ?? [];
  if (!ciliumHost || v4.length < 2) return [];
  return [
    {
      text: `cilium_host has ${v4.length} router IPs (${v4.map((a) => a.local).join(', ')})`,
      devices: [ciliumHost],
      fix: [
        note`keep the router IP that CiliumNode ${ciliumHost.host.name} lists (kubectl get ciliumnode ${ciliumHost.host.name} -o jsonpath='{.spec.addresses}'), delete the others:`,
        ...v4.map((a) => sh`ip addr del ${a.local}/${a.prefixlen} dev cilium_host`),
      ],
    },
  ];
}

/** In tunnel mode the tunnel device must be up; another VXLAN device on its port (a leftover flannel.1) keeps it down. */
function tunnelProblems(host: HostState, root: NamespaceState): Problem[] {
  const out: Problem[] = [];
  for (const name of TUNNELS) {
    const tunnel = device(host, root, name);
    if (!tunnel || !isOperDown(tunnel.iface)) continue;
    const port = tunnelPort(tunnel.iface);
    const rival = root.interfaces.find((i) => i !== tunnel.iface && tunnelParams(i) !== undefined && tunnelPort(i) === port);
    const rivalDevice = rival ? { host, ns: root, iface: rival } : undefined;
    out.push({
      text: `${name} is down${rival ? `, and ${rival.name} holds its UDP port ${port ?? '?'}` : ''}`,
      devices: [tunnel, ...(rivalDevice ? [rivalDevice] : [])],
      fix: rival ? [note`if ${rival.name} is left over from a previous CNI:`, sh`ip link del ${rival.name}`] : [],
    });
  }
  return out;
}

function findingFor(topology: Topology, cluster: ClusterContext | undefined, host: HostState, problems: Problem[]): Finding {
  const devices = [...new Map(problems.flatMap((p) => p.devices).map((d) => [deviceId(d), d])).values()];
  const what = problems.map((p) => p.text).join('; ');
  return finding(ID, 'warning', {
    title: `Cilium host datapath on ${host.name}: ${what}`,
    explanation:
      `Cilium routes traffic between the node and its pods through the veth pair cilium_host/cilium_net (cilium_host holds ` +
      `the node's router IP, the next hop of the routes to pod CIDRs) and, in tunnel mode, sends traffic to other nodes ` +
      `through cilium_vxlan or cilium_geneve. On ${host.name}: ${what}. Pods on this node then lose the node (health ` +
      `checks, host-network services) or other nodes, depending on the part that is broken. Whether the router IP lies in ` +
      `the node's pod CIDR is not checked: that needs the CiliumNode resource.`,
    evidence: devices.map(deviceEvidence),
    elements: devices.length > 0 ? devices.map(deviceId) : [hostId(host.name)],
    fix: [...problems.flatMap((p) => p.fix), restartAgent(topology, cluster, 'cilium', host)],
  });
}

export const ciliumHostDatapathBroken: Rule = {
  id: ID,
  severity: 'warning',
  title: 'cilium_host, cilium_net or the Cilium tunnel device is missing, down or misconfigured',
  run(topology, cluster) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const root = rootNamespace(host);
      if (!root) continue;
      const ciliumHost = device(host, root, 'cilium_host');
      const ciliumNet = device(host, root, 'cilium_net');
      if (!ciliumHost && !ciliumNet) continue;
      const problems = [...pairProblems(ciliumHost, ciliumNet), ...routerIpProblems(ciliumHost), ...tunnelProblems(host, root)];
      if (problems.length > 0) out.push(findingFor(topology, cluster, host, problems));
    }
    return out;
  },
};
