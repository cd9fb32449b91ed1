import type { Evidence, Finding, Rule } from '../types';
import { FLANNEL_BACKEND_DATA as BACKEND_DATA, FLANNEL_PUBLIC_IP as PUBLIC_IP, type ClusterContext } from '@/lib/capture/types';
import type { HostState, NamespaceState } from '@/lib/parse/types';
import type { Topology } from '@/lib/topology/types';
import { deviceId, findDevice, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { hostId } from '@/lib/topology/ids';
import { deviceEvidence, entityEvidence, mergeEvidence } from '../evidence';
import { note, sh, where } from '../fix';
import { on, kubeNodeName, type FixEntry } from '../fix-host';
import { isZeroMac, sameMac } from '../ip';
import { restartAgent } from '../agents';
import { flannelVtep, vtepAddress } from '../vteps';
import { finding } from '../finding';
import { published, vtepAddressOf, type Published } from '../flannel';

const ID = 'flannel-annotation-mismatch';
const FLANNEL_DEVICE = /^flannel\.\d+$/;
function annotate(p: Published, mac: string | undefined, publicIp: string | undefined): FixEntry[] {
  const data = JSON.stringify({ VNI: p.vni ?? 1, VtepMAC: mac ?? p.mac });
  return [
    ...(mac !== undefined && !sameMac(mac, p.mac) ? [sh`kubectl annotate node ${p.node.name} --overwrite ${`${BACKEND_DATA}=${data}`}`] : []),
    ...(publicIp !== undefined && publicIp !== p.publicIp ? [sh`kubectl annotate node ${p.node.name} --overwrite ${`${PUBLIC_IP}=${publicIp}`}`] : []),
  ];
}

/** The node's own VTEP against what it published: every other node sends to the published values. */
function ownDevice(topology: Topology, cluster: ClusterContext | undefined, p: Published, vtep: Device): Finding | undefined {
  const address = vtepAddress(vtep);
  const macWrong = p.mac !== undefined && vtep.iface.mac !== undefined && !sameMac(p.mac, vtep.iface.mac);
  const ipWrong = p.publicIp !== undefined && address !== undefined && p.publicIp !== address;
  if (!macWrong && !ipWrong) return undefined;
  const what = [
    ...(macWrong ? [`VtepMAC ${p.mac ?? '?'} while ${vtep.iface.name} has ${vtep.iface.mac ?? '?'}`] : []),
    ...(ipWrong ? [`public-ip ${p.publicIp ?? '?'} while ${vtep.iface.name} sends from ${address ?? '?'}`] : []),
  ].join('; ');
  return finding(ID, 'critical', {
    title: `Node ${p.node.name} publishes ${what}`,
    explanation:
      `flanneld on every node programs its neighbour entry (VTEP address → VtepMAC) and FDB entry (VtepMAC → public-ip) for ` +
      `${p.node.name} from the annotations on ${p.node.name}'s Node object, and these no longer match ` +
      `${where(vtep.host.name, null, vtep.iface.name)}: ${what}. The other nodes encapsulate for a MAC or address this node ` +
      `does not have, so it drops the frames and pods on other nodes cannot reach pods here. Typical after ${vtep.iface.name} ` +
      `was recreated (a new MAC) or the node's address changed while flanneld kept running.`,
    evidence: [p.evidence, deviceEvidence(vtep)],
    elements: [deviceId(vtep)],
    fix: [
      ...annotate(p, macWrong ? vtep.iface.mac : undefined, ipWrong ? address : undefined),
      note`durable: restart flanneld on ${p.node.name}; it publishes its VTEP's MAC and address again, and the other nodes follow`,
      restartAgent(topology, cluster, 'flannel', vtep.host),
    ],
  });
}

/** Where the node's VTEP was not captured: the entries other nodes hold for it (also from `arp -an`) against what it published. */
function othersEntries(topology: Topology, cluster: ClusterContext | undefined, p: Published): Finding[] {
  const dst = vtepAddressOf(p.node);
  if (p.mac === undefined || dst === undefined) return [];
  const out: Finding[] = [];
  for (const host of topology.hosts) {
    const root = rootNamespace(host);
    if (!root || kubeNodeName(topology, cluster, host) === p.node.name) continue;
    const stale = root.neighbors.filter((n) => n.dst === dst && FLANNEL_DEVICE.test(n.dev) && n.lladdr !== undefined && !isZeroMac(n.lladdr) && !sameMac(n.lladdr, p.mac));
    const first = stale[0];
    if (first === undefined) continue;
    out.push(
      staleEntry(
        topology,
        cluster,
        p,
        host,
        root,
        first.dev,
        dst,
        first.lladdr ?? '?',
        stale.flatMap((n) => entityEvidence(host, root, n)),
      ),
    );
  }
  return out;
}

function staleEntry(
  topology: Topology,
  cluster: ClusterContext | undefined,
  p: Published,
  host: HostState,
  root: NamespaceState,
  name: string,
  dst: string,
  held: string,
  evidence: Evidence[],
): Finding {
  const mac = p.mac ?? '';
  const vtep = findDevice(host, root, name);
  return finding(ID, 'critical', {
    title: `${host.name} resolves ${p.node.name}'s VTEP ${dst} to ${held}, but ${p.node.name} publishes VtepMAC ${mac}`,
    explanation:
      `${where(host.name, null)} sends frames for ${p.node.name}'s pods to ${held} (its neighbour entry for ${dst} on ${name}), ` +
      `while ${p.node.name}'s flanneld publishes ${mac} as the MAC of its VTEP (Node annotation ${BACKEND_DATA}). ` +
      `${p.node.name} drops frames addressed to a MAC its ${name} does not have, so pods on ${host.name} cannot reach pods on ` +
      `${p.node.name}. flanneld on ${host.name} missed the update (it only rewrites entries on a Node event).`,
    evidence: mergeEvidence([...evidence, p.evidence, ...(vtep ? [deviceEvidence(vtep)] : [])]),
    elements: [vtep ? deviceId(vtep) : hostId(host.name)],
    fix: [
      on(host),
      sh`ip neigh replace ${dst} lladdr ${mac} dev ${name} nud permanent`,
      ...(p.publicIp === undefined ? [] : [sh`bridge fdb replace ${mac} dev ${name} dst ${p.publicIp} self permanent`]),
      note`durable: restart flanneld on ${host.name}, which rewrites its entries from the Node annotations`,
      restartAgent(topology, cluster, 'flannel', host),
    ],
  });
}

/**
 * flannel's VXLAN backend: each node publishes its VTEP MAC and public IP as Node annotations, and every other node's
 * flanneld turns them into a neighbour and an FDB entry. Checked where the cluster context keeps the annotations.
 */
export const flannelAnnotationMismatch: Rule = {
  id: ID,
  severity: 'critical',
  title: "A flannel node's published VTEP MAC or address differs from its device or from other nodes' entries",
  run(topology, cluster) {
    const out: Finding[] = [];
    for (const node of cluster?.nodes ?? []) {
      const p = published(node);
      if (!p) continue;
      const host = topology.hosts.find((h) => kubeNodeName(topology, cluster, h) === node.name);
      const vtep = host && flannelVtep(host);
      const own = vtep && ownDevice(topology, cluster, p, vtep);
      if (own) out.push(own);
      // With the VTEP captured, the neighbour and FDB rules judge other nodes' entries against the device itself.
      if (!vtep) out.push(...othersEntries(topology, cluster, p));
    }
    return out;
  },
};
