import { describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import type { CaptureBundle } from '@/lib/capture/types';
import { parseTranscript, UNNAMED_HOST } from '@/lib/capture/paste/transcript';
import { diagnose } from '@/lib/diagnose';
import { renderReport } from '@/lib/export/report';
import { mdText } from '@/lib/export/markdown';
import type { SnapshotView } from '@/lib/snapshot/types';
import { buildTopology } from '@/lib/topology/build';
import { fixBlocks } from '@/lib/view/fix-steps';
import { formatFindings } from '@/cli/format';
import { incidentBundle, MAC_RULE, PODVM } from '../helpers/incident-sample';
import { host, link, ns } from './builders';
import { peerPodOvnNetdev } from './fixtures';

const WORKER = 'ocp-412-ovn-worker-1';

/** A flannel node whose uplink was lowered to 1400 under a VTEP of 1450: `ip -d link` as pasted, no host named. */
const OVERLAY_TOO_WIDE = [
  '# ip -d link show',
  '2: ens4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc fq_codel state UP mode DEFAULT group default qlen 1000',
  '    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff',
  '3: flannel.7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default',
  '    link/ether 6e:11:22:33:44:55 brd ff:ff:ff:ff:ff:ff',
  '    vxlan id 7 local 172.31.4.9 dev ens4 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx',
].join('\n');
const POD_NETNS = 'c16c7a01-5b9e-4d3f-8a2c-6e1f0b9d2a46';

function incident(cluster?: CaptureBundle['cluster']) {
  const bundle = incidentBundle();
  const { findings, topology, rulesVersion } = analyze(cluster ? { ...bundle, cluster } : bundle);
  const finding = findings.find((f) => f.rule === MAC_RULE);
  if (!finding) throw new Error('the sample lost its MAC mismatch');
  return { finding, findings, topology, rulesVersion };
}

describe('each fix says where it runs', () => {
  it("runs the lab incident's fix on the pod VM, and says whose pod VM it is from the capture alone", () => {
    const { finding } = incident();
    const vm = { kind: 'host', host: PODVM, role: 'pod-vm', worker: WORKER, podNetns: POD_NETNS };
    expect(finding.fixOn).toEqual([
      { from: 0, on: vm },
      { from: 4, on: { kind: 'cluster' } },
    ]);
    expect(fixBlocks(finding)).toEqual([
      { where: `on ${PODVM} (pod VM of the peer pod in netns ${POD_NETNS} on worker ${WORKER})`, lines: finding.fix?.slice(0, 4) },
      // The durable remedy: the pod recreated through the API server, found by its IP (no cluster context names it).
      { where: 'with kubectl, from any machine with access to the cluster', lines: finding.fix?.slice(4) },
    ]);
    expect(finding.fix?.at(-1)).toBe('kubectl delete pods -A --field-selector status.podIP=10.132.2.46');
  });

  it('names the peer pod and the Kubernetes node where the cluster context knows them', () => {
    const { finding } = incident({
      name: 'prod',
      nodes: [{ name: 'k8s-w1', internalIPs: ['192.168.10.163'] }],
      pods: [{ namespace: 'shop', name: 'web-7c9', ip: '10.132.2.46', nodeName: 'k8s-w1', runtimeClassName: 'kata-remote' }],
    });
    expect(fixBlocks(finding)[0]?.where).toBe(`on ${PODVM} (pod VM of pod shop/web-7c9, on worker ${WORKER})`);
    expect(fixBlocks(finding)[1]).toEqual({
      where: 'with kubectl, from any machine with access to cluster prod',
      lines: ["# durable: recreate the peer pod; cloud-api-adaptor then sets up the new pod VM's vxlan0 with the pod's MAC", 'kubectl delete pod web-7c9 --namespace shop'],
    });
    // The worker is found as node k8s-w1 by the InternalIP its root namespace holds.
    const worker = peerPodOvnNetdev({ links: { 'worker/lv-wpod/eth0': { operstate: 'DOWN', flags: ['BROADCAST', 'MULTICAST'] } } });
    const cluster = { nodes: [{ name: 'k8s-worker', internalIPs: ['192.168.10.163'] }], pods: [] };
    const down = diagnose(buildTopology(worker, cluster), cluster).findings.find((f) => f.fixOn?.[0]?.on.kind === 'host' && f.fixOn[0].on.host === 'worker');
    expect(down && fixBlocks(down)[0]?.where).toBe('on worker (worker node k8s-worker)');
  });

  it('splits a fix over the hosts it touches, and runs kubectl lines against the cluster', () => {
    const hosts = [
      host('node-a', 'node', [ns(null, { interfaces: [link({ name: 'eth0', ifindex: 2, addrs: ['10.1.0.5/24'], mac: '52:54:00:0a:00:05' })] })]),
      host('node-b', 'node', [ns(null, { interfaces: [link({ name: 'eth0', ifindex: 2, addrs: ['10.1.0.5/24'], mac: '52:54:00:0b:00:05' })] })]),
    ];
    const dup = diagnose(buildTopology(hosts)).findings.find((f) => f.rule === 'duplicate-ip-address');
    expect(dup && fixBlocks(dup)).toEqual([{ where: 'on node-b (Kubernetes node)', lines: ['ip addr del 10.1.0.5/24 dev eth0'] }]);
    const unpaired = peerPodOvnNetdev({ links: { 'podvm/lv-vmpod/vxlan0': { vxlan: { vni: 555006, remote: '192.168.10.163', port: 4789 } } } });
    const vni = diagnose(buildTopology(unpaired)).findings.find((f) => f.rule === 'peerpod-vni-or-port-mismatch');
    const blocks = vni ? fixBlocks(vni) : [];
    expect(blocks.map((b) => b.where)).toEqual(['with kubectl, from any machine with access to the cluster']);
    expect(blocks[0]?.lines[0]).toMatch(/^# tunnel endpoints and VNI are fixed/);
  });

  it('says so when the paste named no host', () => {
    const { hosts } = parseTranscript(OVERLAY_TOO_WIDE, { collectedAt: '2026-01-01T00:00:00.000Z', defaultHost: UNNAMED_HOST });
    const { findings } = analyze({ format: 'tunnelscope.capture', version: 1, createdAt: '2026-01-01T00:00:00.000Z', source: { kind: 'upload', detail: 't' }, hosts });
    const placed = findings.filter((f) => (f.fix?.length ?? 0) > 0);
    expect(placed.map((f) => f.rule)).toEqual(['tunnel-mtu-blackhole']);
    expect(placed[0]?.fix?.[0]).toBe('ip link set dev flannel.7 mtu 1350');
    expect(fixBlocks(placed[0]!)[0]?.where).toMatch(/^on the unnamed host/);
    for (const f of placed) expect(f.fixOn?.[0]?.on).toMatchObject({ kind: 'host', host: UNNAMED_HOST, role: 'unnamed' });
  });

  it('prints the place above the lines in the CLI and in report.md', () => {
    const { finding, findings, topology, rulesVersion } = incident();
    const where = `on ${PODVM} (pod VM of the peer pod in netns ${POD_NETNS} on worker ${WORKER}):`;
    expect(formatFindings([finding])).toContain(`    fix:\n      ${where}\n        ${finding.fix?.[0]}`);
    const meta = { id: 'x', title: 'lab', createdAt: '2026-01-01T00:00:00.000Z', source: { kind: 'lab' }, hosts: [], partialHosts: [], rulesVersion, counts: { critical: 1, warning: 0, info: 0 } };
    const report = renderReport({ meta, topology, findings } as unknown as SnapshotView);
    expect(report).toContain(`Fix (review, then run by hand):\n\n${mdText(`O${where.slice(1)}`)}\n\n\`\`\`sh\n${finding.fix?.[0]}`);
  });
});
