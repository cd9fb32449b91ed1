/**
 * flannel-style overlays built on real kernel devices with plain `ip` commands (not the lab's code): two "nodes"
 * (namespaces) joined by a veth as the underlay, each with a VXLAN VTEP the way flanneld makes one (no remote,
 * nolearning, a /32 of the node's pod subnet, permanent neighbour and FDB entries for the other node). What
 * `ip -d link`, `ip addr`, `ip neigh` and `bridge fdb` print on each node is pasted with a prompt per node, and
 * judged with a cluster context that holds what each node publishes. Runs under the kernel lock.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import type { ClusterContext, ClusterNode } from '@/lib/capture/types';
import { parseTranscript } from '@/lib/capture/paste/transcript';
import { fixBlocks } from '@/lib/view/fix-steps';

const P = `h18-fo${process.pid % 1000}-`;
const A = `${P}a`;
const B = `${P}b`;
const NODES = [
  { ns: A, name: 'worker-east', uplink: 'enp1s0', underlay: '198.18.7.21', subnet: '10.91.4.0' },
  { ns: B, name: 'worker-west', uplink: 'enp1s0', underlay: '198.18.7.22', subnet: '10.91.9.0' },
] as const;
const VTEP = 'flannel.12';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function removeNamespaces(): void {
  for (const ns of [A, B]) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // not there
    }
  }
}

function macOf(ns: string, dev: string): string {
  const [link] = JSON.parse(ip('-n', ns, '-j', 'link', 'show', dev)) as { address: string }[];
  return link.address;
}

beforeAll(() => {
  removeNamespaces();
  for (const n of NODES) ip('netns', 'add', n.ns);
  ip('-n', A, 'link', 'add', 'enp1s0', 'type', 'veth', 'peer', 'name', 'enp1s0', 'netns', B);
  for (const n of NODES) {
    ip('-n', n.ns, 'addr', 'add', `${n.underlay}/24`, 'dev', n.uplink);
    ip('-n', n.ns, 'link', 'set', n.uplink, 'up');
    ip('-n', n.ns, 'link', 'add', VTEP, 'type', 'vxlan', 'id', '12', 'local', n.underlay, 'dev', n.uplink, 'dstport', '8472', 'nolearning');
    ip('-n', n.ns, 'link', 'set', VTEP, 'mtu', '1450');
    ip('-n', n.ns, 'addr', 'add', `${n.subnet}/32`, 'dev', VTEP);
    ip('-n', n.ns, 'link', 'set', VTEP, 'up');
  }
  // Each node's entries for the other, as flanneld writes them.
  for (const [self, other] of [
    [NODES[0], NODES[1]],
    [NODES[1], NODES[0]],
  ] as const) {
    const mac = macOf(other.ns, VTEP);
    ip('-n', self.ns, 'neigh', 'replace', other.subnet, 'lladdr', mac, 'dev', VTEP, 'nud', 'permanent');
    ip('-n', self.ns, 'route', 'add', `${other.subnet}/24`, 'via', other.subnet, 'dev', VTEP, 'onlink');
    execFileSync('bridge', ['-n', self.ns, 'fdb', 'append', mac, 'dev', VTEP, 'dst', other.underlay, 'self', 'permanent']);
  }
}, 60_000);

afterAll(removeNamespaces);

/** What each node prints, under a prompt naming it. */
function paste(nodes: readonly (typeof NODES)[number][]): string {
  return nodes
    .flatMap((n) => [
      `[root@${n.name} ~]# ip -d link show`,
      ip('-n', n.ns, '-d', 'link', 'show').trimEnd(),
      `[root@${n.name} ~]# ip addr show`,
      ip('-n', n.ns, 'addr', 'show').trimEnd(),
      `[root@${n.name} ~]# ip neigh show`,
      ip('-n', n.ns, 'neigh', 'show').trimEnd(),
      `[root@${n.name} ~]# bridge fdb show dev ${VTEP}`,
      execFileSync('bridge', ['-n', n.ns, 'fdb', 'show', 'dev', VTEP], { encoding: 'utf8' }).trimEnd(),
    ])
    .join('\n');
}

function published(n: (typeof NODES)[number], mac: string): ClusterNode {
  const annotations = { 'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 12, VtepMAC: mac }), 'flannel.alpha.coreos.com/public-ip': n.underlay };
  return { name: n.name, internalIPs: [n.underlay], podCIDRs: [`${n.subnet}/24`], cni: 'flannel', annotations };
}

function judge(text: string, cluster?: ClusterContext) {
  const { hosts } = parseTranscript(text, { collectedAt: '2026-01-01T00:00:00.000Z' });
  return analyze({
    format: 'tunnelscope.capture',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    source: { kind: 'upload', detail: 'kernel' },
    hosts,
    ...(cluster ? { cluster } : {}),
  }).findings.filter((f) => f.severity !== 'info');
}

describe('flannel-style overlay on kernel devices', () => {
  it('is silent while the devices, the entries and the annotations agree', () => {
    const cluster: ClusterContext = { nodes: NODES.map((n) => published(n, macOf(n.ns, VTEP))), pods: [] };
    expect(judge(paste(NODES), cluster)).toEqual([]);
    expect(judge(paste(NODES))).toEqual([]);
  });

  it("finds a recreated VTEP whose new MAC the node's annotation and the other node's entries still miss", () => {
    const east = NODES[0];
    const old = macOf(east.ns, VTEP);
    ip('-n', east.ns, 'link', 'set', VTEP, 'address', '0a:91:04:00:00:01');
    try {
      const cluster: ClusterContext = { nodes: NODES.map((n) => published(n, n === east ? old : macOf(n.ns, VTEP))), pods: [] };
      const found = judge(paste(NODES), cluster);
      const annotation = found.find((f) => f.rule === 'flannel-annotation-mismatch');
      expect(annotation?.title).toBe(`Node worker-east publishes VtepMAC ${old} while ${VTEP} has 0a:91:04:00:00:01`);
      expect(annotation?.fix?.[0]).toContain('"VtepMAC":"0a:91:04:00:00:01"');
      // worker-west still sends to the old MAC: its entry is judged against the device itself, and fixed on worker-west.
      const neigh = found.find((f) => f.rule === 'neighbor-mac-mismatch');
      expect(neigh && fixBlocks(neigh)).toEqual([{ where: 'on worker-west (Kubernetes node)', lines: [`ip neigh replace ${east.subnet} lladdr 0a:91:04:00:00:01 dev ${VTEP} nud permanent`] }]);
      // With worker-east's devices left out of the paste, the published MAC is the reference.
      const westOnly = judge(paste([NODES[1]]), { nodes: NODES.map((n) => published(n, n === east ? '0a:91:04:00:00:01' : macOf(n.ns, VTEP))), pods: [] });
      expect(westOnly.map((f) => f.title)).toContain(`worker-west resolves worker-east's VTEP ${east.subnet} to ${old}, but worker-east publishes VtepMAC 0a:91:04:00:00:01`);
    } finally {
      ip('-n', east.ns, 'link', 'set', VTEP, 'address', old);
    }
  });

  it('finds a VTEP wider than its underlay, with the MTU that fits', () => {
    const west = NODES[1];
    ip('-n', west.ns, 'link', 'set', west.uplink, 'mtu', '1400');
    try {
      const found = judge(paste([west])).filter((f) => f.rule === 'tunnel-mtu-blackhole');
      expect(found.map((f) => f.title)).toEqual([`${VTEP} MTU 1450 + 50 bytes of vxlan > ${west.uplink} MTU 1400 on ${west.name}`]);
      expect(found[0] && fixBlocks(found[0])).toEqual([
        { where: `on ${west.name}`, lines: [`ip link set dev ${VTEP} mtu 1350`] },
        {
          where: 'with kubectl, from any machine with access to the cluster',
          lines: [
            '# and set the CNI MTU to 1350 (or raise the underlay MTU of enp1s0 to 1500)',
            `# durable: restart the flannel agent on ${west.name}, which sets the MTU of ${VTEP} from the underlay again; then recreate the pods of this node`,
            `kubectl delete pod -A -l app=flannel --field-selector spec.nodeName=${west.name}`,
          ],
        },
      ]);
    } finally {
      ip('-n', west.ns, 'link', 'set', west.uplink, 'mtu', '1500');
    }
  });
});
