// Builds healthy node layouts of other CNIs in real kernel namespaces (names start with tsu-), collects them with the
// product's collector and checks that diagnosis stays quiet; then breaks one thing per layout.
// Needs root, iproute2, iptables, nftables and the Open vSwitch tools (the OVS layout runs its own daemons).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '@/lib/topology/types';
import { edgesOf, findingsOf, removeLeftovers, seriousFindings, UPLINK, type KernelCluster } from './layouts/kernel-cluster';
import { CALICO_VXLAN, calicoRouted, calicoVxlan, dualStackBridge, flannelHostGw, OVERLAY, OVS_ROUTED, ovsRouted, vxlanOverlay } from './layouts/layouts';

beforeAll(() => removeLeftovers());
afterAll(() => removeLeftovers());

interface LayoutCase {
  name: string;
  build: () => Promise<KernelCluster>;
  families: (4 | 6)[];
  /** What every healthy capture of the layout must show besides the pod veth pairs. */
  edges: (cluster: KernelCluster, topology: Topology) => void;
  /** One fault and the rule that must report it. */
  fault: { what: string; apply: (cluster: KernelCluster) => Promise<void>; rule: string };
}

function podVethPairs(cluster: KernelCluster): string[] {
  return cluster.nodes.flatMap((n) => n.pods.map((p) => [`${n.host.name}/${p.hostVeth}`, `${n.host.name}/${p.netns}/eth0`].sort().join(' ~ '))).sort();
}

function bridgePorts(cluster: KernelCluster, bridge: string, extra: string[] = []): string[] {
  return cluster.nodes.flatMap((n) => [...n.pods.map((p) => p.hostVeth), ...extra].map((port) => `${n.host.name}/${port} ~ ${n.host.name}/${bridge}`)).sort();
}

const CASES: LayoutCase[] = [
  {
    name: 'Calico-style routed (cali veths, proxy ARP, 169.254.1.1 gateway, no tunnel)',
    build: calicoRouted,
    families: [4],
    edges: (_cluster, topology) => {
      expect(edgesOf(topology, 'bridge-port')).toEqual([]);
      expect(edgesOf(topology, 'tunnel')).toEqual([]);
    },
    fault: {
      what: 'the /32 route to a local pod is deleted',
      apply: async (c) => {
        const [node] = c.nodes;
        await c.on(node, ['ip', 'route', 'del', node.pods[0].ip, 'dev', node.pods[0].hostVeth]);
      },
      rule: 'pod-route-missing',
    },
  },
  {
    name: 'flannel host-gw (cni0 bridge, routes via the other node, no VXLAN)',
    build: flannelHostGw,
    families: [4],
    edges: (cluster, topology) => {
      expect(edgesOf(topology, 'bridge-port')).toEqual(bridgePorts(cluster, 'cni0'));
      expect(edgesOf(topology, 'tunnel')).toEqual([]);
    },
    fault: {
      what: 'a pod veth is set down on the node',
      apply: async (c) => {
        const [node] = c.nodes;
        await c.on(node, ['ip', 'link', 'set', node.pods[1].hostVeth, 'down']);
      },
      rule: 'link-down-or-no-carrier',
    },
  },
  {
    name: 'dual-stack bridge (cbr0 with IPv4 and IPv6 pod subnets, IPv6 routes between nodes)',
    build: dualStackBridge,
    families: [4, 6],
    edges: (cluster, topology) => {
      expect(edgesOf(topology, 'bridge-port')).toEqual(bridgePorts(cluster, 'cbr0'));
    },
    fault: {
      what: 'IPv4 forwarding is turned off on a node',
      apply: async (c) => {
        await c.on(c.nodes[1], ['sysctl', '-qw', 'net.ipv4.ip_forward=0']);
      },
      rule: 'ip-forward-disabled',
    },
  },
  {
    name: `plain L2 VXLAN overlay (${OVERLAY.device}, VNI ${OVERLAY.vni}, static flood entries, pods on ${OVERLAY.bridge})`,
    build: vxlanOverlay,
    families: [4],
    edges: (cluster, topology) => {
      expect(edgesOf(topology, 'bridge-port')).toEqual(bridgePorts(cluster, OVERLAY.bridge, [OVERLAY.device]));
      const [a, b] = cluster.nodes.map((n) => `${n.host.name}/${OVERLAY.device}`);
      expect(edgesOf(topology, 'tunnel')).toEqual([`${a} ~ ${b}`]);
    },
    fault: {
      what: 'one node uses another VNI',
      apply: async (c) => {
        const node = c.nodes[1];
        await c.on(node, ['ip', 'link', 'del', OVERLAY.device]);
        const vx = ['type', 'vxlan', 'id', String(OVERLAY.vni + 1), 'dstport', String(OVERLAY.port), 'local', node.ip, 'dev', UPLINK];
        await c.on(node, ['ip', 'link', 'add', OVERLAY.device, ...vx]);
        await c.on(node, ['ip', 'link', 'set', OVERLAY.device, 'mtu', String(OVERLAY.mtu), 'master', OVERLAY.bridge, 'up']);
        await c.on(node, ['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', OVERLAY.device, 'dst', c.nodes[0].ip]);
      },
      rule: 'overlay-vxlan-param-mismatch',
    },
  },
  {
    name: `Calico VXLAN mode (${CALICO_VXLAN.device} VNI ${CALICO_VXLAN.vni}, onlink routes via peer VTEPs, VXLAN allowed from cluster hosts only)`,
    build: calicoVxlan,
    families: [4],
    edges: (cluster, topology) => {
      const [a, b] = cluster.nodes.map((n) => `${n.host.name}/${CALICO_VXLAN.device}`);
      expect(edgesOf(topology, 'tunnel')).toEqual([`${a} ~ ${b}`]);
      expect(edgesOf(topology, 'bridge-port')).toEqual([]);
    },
    fault: {
      what: 'the rule accepting VXLAN from cluster hosts is deleted, leaving the DROP',
      apply: async (c) => {
        const out = await c.on(c.nodes[0], ['iptables', '-w', '-S', 'cali-INPUT']);
        const accept = out.split('\n').find((l) => l.includes('-j ACCEPT'));
        if (!accept) throw new Error(`no ACCEPT rule in cali-INPUT:\n${out}`);
        await c.on(c.nodes[0], ['sh', '-c', `iptables -w ${accept.replace(/^-A /, '-D ')}`]);
      },
      rule: 'firewall-drops-pod-traffic',
    },
  },
  {
    name: `OVS without OVN, routed (${OVS_ROUTED.bridge} on the userspace datapath, ${OVS_ROUTED.gateway} gateway port, no tunnel)`,
    build: ovsRouted,
    families: [4],
    edges: (cluster, topology) => {
      const ports = cluster.nodes.flatMap((n) => [...n.pods.map((p) => p.hostVeth), OVS_ROUTED.gateway, OVS_ROUTED.bridge].map((p) => `${n.host.name}/${p} ~ ${n.host.name}/ovs:${OVS_ROUTED.bridge}`));
      expect(edgesOf(topology, 'ovs-port')).toEqual(ports.sort());
      expect(edgesOf(topology, 'tunnel')).toEqual([]);
    },
    fault: {
      what: "a pod's veth is deleted while its OVS port stays",
      apply: async (c) => {
        const [node] = c.nodes;
        const port = node.pods[0].hostVeth;
        await c.on(node, ['ip', 'link', 'del', port]);
        await c.on(node, ['ovs-vsctl', '--timeout=10', 'wait-until', 'interface', port, 'link_state=down']);
      },
      rule: 'ovs-interface-error',
    },
  },
];

for (const layout of CASES) {
  describe(layout.name, () => {
    let cluster: KernelCluster;
    let topology: Topology;

    beforeAll(async () => {
      cluster = await layout.build();
      // Traffic first, as on a live node: neighbour entries are then as a running cluster has them.
      for (const family of layout.families) expect(await cluster.pingAcross(family), `IPv${family} pings between nodes that failed`).toEqual([]);
      topology = await cluster.topology();
    });

    afterAll(() => cluster?.destroy());

    it('carries traffic between pods on different nodes', async () => {
      for (const family of layout.families) expect(await cluster.pingAcross(family)).toEqual([]);
    });

    it('resolves every pod veth pair across namespaces and the layout-specific edges', () => {
      // The uplinks' peers sit in the switch's namespace, which no node names: they pair with nothing on the node.
      expect(edgesOf(topology, 'veth')).toEqual(podVethPairs(cluster));
      layout.edges(cluster, topology);
    });

    it('has no warning or critical finding', () => {
      const serious = seriousFindings(topology);
      expect(serious, serious.join('\n')).toEqual([]);
    });

    it(`reports ${layout.fault.rule} when ${layout.fault.what}`, async () => {
      await layout.fault.apply(cluster);
      const broken = await cluster.topology();
      const found = findingsOf(broken, layout.fault.rule);
      expect(found.length, seriousFindings(broken).join('\n')).toBeGreaterThan(0);
    });
  });
}
