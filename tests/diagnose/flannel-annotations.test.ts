/**
 * Cross-node facts of a flannel VXLAN overlay, from pastes with names, addresses and a VNI unlike the lab's: what
 * each node publishes in its Node annotations (the cluster context) against its own VTEP and against the entries
 * the other nodes hold for it, and the VTEP's MTU against its underlay's.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import type { ClusterContext, ClusterNode } from '@/lib/capture/types';
import { parseTranscript } from '@/lib/capture/paste/transcript';
import { fixBlocks } from '@/lib/view/fix-steps';

const VTEP_MAC = '9a:3c:51:0e:77:21';

function vtepLink(host: string, opts: { mac?: string; mtu?: number; uplinkMtu?: number; local?: string; podNet?: string } = {}): string {
  const local = opts.local ?? '172.20.1.11';
  return [
    `[core@${host} ~]$ ip -d link show`,
    `2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${opts.uplinkMtu ?? 9001} qdisc mq state UP mode DEFAULT group default qlen 1000`,
    '    link/ether 0e:5d:11:90:aa:01 brd ff:ff:ff:ff:ff:ff',
    `4: flannel.4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${opts.mtu ?? 8951} qdisc noqueue state UNKNOWN mode DEFAULT group default`,
    `    link/ether ${opts.mac ?? VTEP_MAC} brd ff:ff:ff:ff:ff:ff`,
    `    vxlan id 4 local ${local} dev ens5 srcport 0 0 dstport 4789 nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx`,
    `[core@${host} ~]$ ip addr show`,
    '2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000',
    '    link/ether 0e:5d:11:90:aa:01 brd ff:ff:ff:ff:ff:ff',
    `    inet ${local}/20 brd 172.20.15.255 scope global dynamic ens5`,
    '4: flannel.4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 8951 qdisc noqueue state UNKNOWN group default',
    `    link/ether ${opts.mac ?? VTEP_MAC} brd ff:ff:ff:ff:ff:ff`,
    `    inet ${opts.podNet ?? '10.60.3.0'}/32 scope global flannel.4`,
  ].join('\n');
}

function node(name: string, podCIDR: string, mac: string, publicIp: string): ClusterNode {
  return {
    name,
    internalIPs: [publicIp],
    podCIDRs: [podCIDR],
    cni: 'flannel',
    annotations: { 'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 4, VtepMAC: mac }), 'flannel.alpha.coreos.com/public-ip': publicIp },
  };
}

function diagnosePaste(text: string, cluster?: ClusterContext) {
  const { hosts } = parseTranscript(text, { collectedAt: '2026-01-01T00:00:00.000Z' });
  return analyze({ format: 'tunnelscope.capture', version: 1, createdAt: '2026-01-01T00:00:00.000Z', source: { kind: 'upload', detail: 't' }, hosts, ...(cluster ? { cluster } : {}) }).findings;
}

const FLANNEL_POD = { namespace: 'kube-flannel', name: 'kube-flannel-ds-q7x2d', ip: '172.20.1.11', nodeName: 'edge-a' };

describe('flannel-annotation-mismatch', () => {
  it("finds a node whose published VtepMAC is not its VTEP's MAC, and republishes the device's MAC", () => {
    const cluster: ClusterContext = { nodes: [node('edge-a', '10.60.3.0/24', '9a:3c:51:0e:77:00', '172.20.1.11')], pods: [FLANNEL_POD] };
    const found = diagnosePaste(vtepLink('edge-a'), cluster).filter((f) => f.rule === 'flannel-annotation-mismatch');
    expect(found.map((f) => f.title)).toEqual([`Node edge-a publishes VtepMAC 9a:3c:51:0e:77:00 while flannel.4 has ${VTEP_MAC}`]);
    expect(found[0]?.fix?.[0]).toBe(`kubectl annotate node edge-a --overwrite 'flannel.alpha.coreos.com/backend-data={"VNI":4,"VtepMAC":"${VTEP_MAC}"}'`);
    // The flannel pod on that node is named from the cluster context.
    expect(found[0]?.fix).toContain('kubectl -n kube-flannel delete pod kube-flannel-ds-q7x2d');
    expect(found[0] && fixBlocks(found[0]).map((b) => b.where)).toEqual(['with kubectl, from any machine with access to the cluster']);
  });

  it('finds a published public-ip the VTEP does not send from', () => {
    const cluster: ClusterContext = { nodes: [node('edge-a', '10.60.3.0/24', VTEP_MAC, '172.20.9.99')], pods: [] };
    const found = diagnosePaste(vtepLink('edge-a'), cluster).filter((f) => f.rule === 'flannel-annotation-mismatch');
    expect(found.map((f) => f.title)).toEqual(['Node edge-a publishes public-ip 172.20.9.99 while flannel.4 sends from 172.20.1.11']);
    expect(found[0]?.fix).toContain('kubectl annotate node edge-a --overwrite flannel.alpha.coreos.com/public-ip=172.20.1.11');
  });

  it("judges other nodes' entries for a VTEP that was not captured against what its node publishes", () => {
    const cluster: ClusterContext = { nodes: [node('edge-a', '10.60.3.0/24', VTEP_MAC, '172.20.1.11'), node('edge-b', '10.60.8.0/24', '5e:00:8b:14:c2:3f', '172.20.1.12')], pods: [] };
    const stale = [vtepLink('edge-a'), '[core@edge-a ~]$ arp -an', '? (10.60.8.0) at 5e:00:8b:14:c2:40 [ether] PERM on flannel.4'].join('\n');
    const found = diagnosePaste(stale, cluster).filter((f) => f.rule === 'flannel-annotation-mismatch');
    expect(found.map((f) => f.title)).toEqual(["edge-a resolves edge-b's VTEP 10.60.8.0 to 5e:00:8b:14:c2:40, but edge-b publishes VtepMAC 5e:00:8b:14:c2:3f"]);
    const [onNode, withKubectl] = found[0] ? fixBlocks(found[0]) : [];
    expect(onNode).toEqual({
      where: 'on edge-a (Kubernetes node)',
      lines: ['ip neigh replace 10.60.8.0 lladdr 5e:00:8b:14:c2:3f dev flannel.4 nud permanent', 'bridge fdb replace 5e:00:8b:14:c2:3f dev flannel.4 dst 172.20.1.12 self permanent'],
    });
    expect(withKubectl?.lines.at(-1)).toBe('kubectl delete pod -A -l app=flannel --field-selector spec.nodeName=edge-a');
  });

  it('takes `arp -an` pasted from several nodes, and names only the node whose entry differs from the published MAC', () => {
    const cluster: ClusterContext = { nodes: [node('edge-b', '10.60.8.0/24', '5e:00:8b:14:c2:3f', '172.20.1.12')], pods: [] };
    const arp = (host: string, mac: string) => [`root@${host}:~# arp -an`, `? (10.60.8.0) at ${mac} [ether] PERM on flannel.4`].join('\n');
    const found = diagnosePaste([arp('edge-a', '5e:00:8b:14:c2:3f'), arp('edge-d', '5e:00:8b:14:c2:99'), arp('edge-e', '5e:00:8b:14:c2:3f')].join('\n'), cluster);
    expect(found.filter((f) => f.severity !== 'info').map((f) => [f.rule, f.elements])).toEqual([['flannel-annotation-mismatch', ['host:edge-d']]]);
    expect(found[0]?.fix?.[0]).toBe('ip neigh replace 10.60.8.0 lladdr 5e:00:8b:14:c2:3f dev flannel.4 nud permanent');
  });

  it('is silent where the annotations agree with the devices and the entries, and without annotations', () => {
    const nodes = [node('edge-a', '10.60.3.0/24', VTEP_MAC, '172.20.1.11'), node('edge-b', '10.60.8.0/24', '5e:00:8b:14:c2:3f', '172.20.1.12')];
    const healthy = [vtepLink('edge-a'), '[core@edge-a ~]$ arp -an', '? (10.60.8.0) at 5e:00:8b:14:c2:3f [ether] PERM on flannel.4'].join('\n');
    expect(diagnosePaste(healthy, { nodes, pods: [] }).filter((f) => f.severity !== 'info')).toEqual([]);
    expect(diagnosePaste(healthy).filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

describe('an overlay VTEP against its underlay', () => {
  it('finds a VTEP wider than its uplink allows, with the MTU that fits and the agent that sets it', () => {
    const found = diagnosePaste(vtepLink('edge-c', { uplinkMtu: 1500, mtu: 8951 })).filter((f) => f.rule === 'tunnel-mtu-blackhole');
    expect(found.map((f) => f.title)).toEqual(['flannel.4 MTU 8951 + 50 bytes of vxlan > ens5 MTU 1500 on edge-c']);
    expect(found[0]?.fix?.[0]).toBe('ip link set dev flannel.4 mtu 1450');
    expect(found[0]?.fix?.at(-1)).toBe('kubectl delete pod -A -l app=flannel --field-selector spec.nodeName=edge-c');
  });
});
