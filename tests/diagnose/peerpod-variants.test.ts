// Builds peer-pod clusters unlike the lab in real kernel namespaces (names start with tsp-): a bridge CNI worker,
// several peer pods per worker and per pod VM, sandbox-style namespace names, other tunnel device names, VNIs and
// UDP ports. Each must carry traffic and diagnose clean; then one fault at a time is put into the kernel and must be
// reported by its rule on that pod's own devices, with a fix naming them, and on nothing of the other pods.
// Needs root, iproute2 and tc (u32, mirred).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '@/lib/diagnose';
import type { Finding } from '@/lib/diagnose/types';
import { edgeId, ifaceId } from '@/lib/topology/ids';
import type { Topology } from '@/lib/topology/types';
import { describe as describeFinding, edgesOf, removeLeftovers, seriousFindings, shortId } from './layouts/kernel-cluster';
import { PEERPOD_PREFIX, PeerPodCluster, type PeerPod, type PeerPodLayout } from './layouts/peerpods';

beforeAll(() => removeLeftovers(PEERPOD_PREFIX));
afterAll(() => removeLeftovers(PEERPOD_PREFIX));

const OTHER_MAC = '02:5e:00:be:ef:01';

interface Fault {
  what: string;
  rule: string;
  /** Index of the pod the fault is put on. */
  pod: number;
  apply: (c: PeerPodCluster, pod: PeerPod) => Promise<void>;
  heal: (c: PeerPodCluster, pod: PeerPod) => Promise<void>;
  /** The elements and fix commands the finding must carry. */
  expect: (c: PeerPodCluster, pod: PeerPod, finding: Finding) => void;
  /** Whether pinging this pod still works while the fault is in place (undefined: not checked). */
  reachable?: boolean;
}

interface Variant {
  what: string;
  layout: Omit<PeerPodLayout, 'pods'>;
  pods: PeerPodLayout['pods'];
  faults: Fault[];
}

const worker = (c: PeerPodCluster, pod: PeerPod, device: string) => ifaceId(c.worker.host.name, pod.netns, device);
const vmEnd = (pod: PeerPod) => ifaceId(pod.vmNode.host.name, pod.vmNetns, pod.vmDevice);
const tunnelEdge = (c: PeerPodCluster, pod: PeerPod) => edgeId('tunnel', worker(c, pod, pod.tunnel), vmEnd(pod));

/** Every id that belongs to one peer pod: its worker namespace, its pod VM namespace, the edges between them. */
function ownsElement(c: PeerPodCluster, pod: PeerPod, id: string): boolean {
  return id.includes(`host:${c.worker.host.name}/ns:${pod.netns}/`) || id.includes(`host:${pod.vmNode.host.name}/ns:${pod.vmNetns}/`);
}

const macMismatch: Fault = {
  what: "the pod VM device's MAC differs from the pod's eth0 MAC",
  rule: 'peerpod-podvm-mac-mismatch',
  pod: 1,
  apply: (c, pod) => c.setVmMac(pod, OTHER_MAC),
  heal: (c, pod) => c.setVmMac(pod, pod.mac),
  reachable: false,
  expect: (c, pod, f) => {
    expect(f.elements).toEqual([vmEnd(pod), worker(c, pod, 'eth0'), tunnelEdge(c, pod)]);
    // No OVS on these workers: the explanation must not lean on OVN's ARP responder.
    expect(f.explanation).not.toContain('OVN');
    expect(f.fix).toEqual([
      `ip netns exec ${pod.vmNetns} ip link set ${pod.vmDevice} down`,
      `ip netns exec ${pod.vmNetns} ip link set dev ${pod.vmDevice} address ${pod.mac}`,
      `ip netns exec ${pod.vmNetns} ip link set ${pod.vmDevice} up`,
    ]);
  },
};

const vniMismatch = (pod: number): Fault => ({
  what: 'the pod VM end of one tunnel uses another VNI',
  rule: 'peerpod-vni-or-port-mismatch',
  pod,
  apply: async (c, p) => {
    await c.deleteVmTunnel(p);
    await c.addVmTunnel(p, { vni: p.vni + 1000, port: p.port, mac: p.mac });
  },
  heal: async (c, p) => {
    await c.deleteVmTunnel(p);
    await c.addVmTunnel(p, { vni: p.vni, port: p.port, mac: p.mac });
  },
  reachable: false,
  expect: (c, p, f) => {
    expect(f.elements).toEqual([worker(c, p, p.tunnel), vmEnd(p), tunnelEdge(c, p)]);
    expect(f.title).toContain(`VNI ${p.vni} on the worker vs ${p.vni + 1000} on the pod VM`);
    expect((f.fix ?? []).join('\n')).toContain(`netns ${p.netns} on ${c.worker.host.name}`);
  },
});

/** The pod VM end is rebuilt on another port, its NOTRACK rules with it (they come from the same configuration). */
async function moveVmPort(c: PeerPodCluster, p: PeerPod, from: number, to: number): Promise<void> {
  await c.deleteVmTunnel(p);
  await c.addVmTunnel(p, { vni: p.vni, port: to, mac: p.mac });
  await c.notrack(p.vmNode, 'D', { vni: p.vni, port: from }, c.worker.ip);
  await c.notrack(p.vmNode, 'A', { vni: p.vni, port: to }, c.worker.ip);
}

const portMismatch: Fault = {
  what: 'the pod VM end of the tunnel uses the default port',
  rule: 'peerpod-vni-or-port-mismatch',
  pod: 0,
  apply: (c, p) => moveVmPort(c, p, p.port, 4789),
  heal: (c, p) => moveVmPort(c, p, 4789, p.port),
  reachable: false,
  expect: (c, p, f) => {
    expect(f.elements).toEqual([worker(c, p, p.tunnel), vmEnd(p), tunnelEdge(c, p)]);
    expect(f.title).toContain(`UDP port ${p.port} on the worker vs 4789 on the pod VM`);
  },
};

/** The redirect from `from` ('eth0' or the tunnel) is deleted; the finding must ask for exactly that one back. */
const redirectMissing = (pod: number, direction: 'to-vm' | 'to-pod'): Fault => {
  const ends = (p: PeerPod): [string, string] => (direction === 'to-vm' ? ['eth0', p.tunnel] : [p.tunnel, 'eth0']);
  return {
    what: `the tc redirect ${direction === 'to-vm' ? 'eth0 → tunnel' : 'tunnel → eth0'} is deleted`,
    rule: 'peerpod-tc-redirect-missing',
    pod,
    apply: (c, p) => c.deleteRedirect(p, ends(p)[0]),
    heal: (c, p) => c.addRedirect(p, ...ends(p)),
    expect: (c, p, f) => {
      const [from, to] = ends(p);
      expect(f.elements).toEqual([worker(c, p, 'eth0'), worker(c, p, p.tunnel)]);
      expect(f.title).toBe(`No tc redirect ${from} → ${to} in ${p.netns} on ${c.worker.host.name}`);
      expect(f.fix).toContain(`ip netns exec ${p.netns} tc filter add dev ${from} parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev ${to}`);
    },
  };
};

const notrackMissing: Fault = {
  what: "the worker's NOTRACK rules for one tunnel are deleted",
  rule: 'peerpod-vxlan-conntrack-tracked',
  pod: 0,
  apply: (c, p) => c.notrack(c.worker, 'D', p, p.vmNode.ip),
  heal: (c, p) => c.notrack(c.worker, 'A', p, p.vmNode.ip),
  expect: (c, p, f) => {
    expect(f.elements).toEqual([worker(c, p, p.tunnel), `host:${c.worker.host.name}`]);
    expect(f.fix).toContain(`iptables -t raw -A peerpod-OUTPUT -m comment --comment "peerpod [vni:${p.vni}]" -d ${p.vmNode.ip}/32 -p udp -m udp --dport ${p.port} -j NOTRACK`);
  },
};

const VARIANTS: Variant[] = [
  {
    what: 'A: bridge CNI worker, two peer pods on two pod VMs, other device, namespace and VNI names',
    layout: { name: 'brg', underlay: '172.29.41', bridge: 'cni0', subnet: '10.88.41', mtu: 1400, worker: 'bridge-worker-1', vms: ['podvm-web', 'podvm-db'] },
    pods: [
      { seed: 'brg-web', tunnel: 'vxlan-peer1', vni: 7001, port: 4789, vm: 0, vmNetns: 'peerpod-ns', vmDevice: 'pp0' },
      { seed: 'brg-db', tunnel: 'pp-tun0', vni: 7002, port: 4789, vm: 1, vmNetns: 'kata-sandbox', vmDevice: 'eth0' },
    ],
    faults: [macMismatch, vniMismatch(0), redirectMissing(1, 'to-pod'), redirectMissing(0, 'to-vm'), notrackMissing],
  },
  {
    what: 'B: one pod VM carrying two peer pods of the worker (two namespaces, two VNIs, one remote)',
    layout: { name: 'shr', underlay: '172.29.42', bridge: 'cbr0', subnet: '10.90.7', mtu: 1450, worker: 'worker-b', vms: ['podvm-shared'] },
    pods: [
      { seed: 'shr-front', tunnel: 'vxlan1', vni: 4201, port: 4789, vm: 0, vmNetns: 'pod-frontend', vmDevice: 'vx-front' },
      { seed: 'shr-back', tunnel: 'vxlan1', vni: 4202, port: 4789, vm: 0, vmNetns: 'pod-backend', vmDevice: 'vx-back' },
    ],
    faults: [macMismatch, { ...macMismatch, pod: 0 }, vniMismatch(1), redirectMissing(0, 'to-vm')],
  },
  {
    what: 'C: VXLAN on udp/4790 on both ends',
    layout: { name: 'prt', underlay: '172.29.43', bridge: 'cni0', subnet: '10.91.3', mtu: 1400, worker: 'worker-c', vms: ['podvm-c1', 'podvm-c2'] },
    pods: [
      { seed: 'prt-1', tunnel: 'vxlan1', vni: 9100, port: 4790, vm: 0, vmNetns: 'podnet', vmDevice: 'eth0' },
      { seed: 'prt-2', tunnel: 'vxlan1', vni: 9101, port: 4790, vm: 1, vmNetns: 'podnet', vmDevice: 'eth0' },
    ],
    faults: [portMismatch, macMismatch, redirectMissing(1, 'to-pod'), notrackMissing],
  },
];

for (const variant of VARIANTS) {
  describe(variant.what, () => {
    let c: PeerPodCluster;
    let topology: Topology;

    beforeAll(async () => {
      c = await PeerPodCluster.build({ ...variant.layout, pods: variant.pods });
      // Traffic first, as on a live node: neighbour entries are then as a running cluster has them.
      expect(await c.unreachable(), 'pings without a reply').toEqual([]);
      topology = await c.cluster.topology();
    });

    afterAll(() => c?.destroy());

    it('carries traffic from the worker to every pod and between the pods', async () => {
      expect(await c.unreachable()).toEqual([]);
    });

    it('pairs each worker tunnel with its pod VM tunnel and has both tc redirects of every pod', () => {
      const tunnels = c.pods.map((p) => [shortId(worker(c, p, p.tunnel)), shortId(vmEnd(p))].sort().join(' ~ ')).sort();
      expect(edgesOf(topology, 'tunnel')).toEqual(tunnels);
      for (const p of c.pods) {
        const edge = topology.edges.find((e) => e.id === tunnelEdge(c, p));
        expect(edge, `tunnel edge of ${p.ip}`).toMatchObject({ vni: p.vni, port: p.port, marks: [] });
      }
      for (const p of c.pods) {
        const [eth0, tun] = [shortId(worker(c, p, 'eth0')), shortId(worker(c, p, p.tunnel))];
        expect(edgesOf(topology, 'tc-redirect')).toEqual(expect.arrayContaining([`${eth0} ~ ${tun}`, `${tun} ~ ${eth0}`]));
      }
      expect(edgesOf(topology, 'tc-redirect')).toHaveLength(2 * c.pods.length);
    });

    it('has no warning or critical finding', () => {
      const serious = seriousFindings(topology);
      expect(serious, serious.join('\n')).toEqual([]);
    });

    for (const fault of variant.faults) {
      it(`reports ${fault.rule} on pod ${fault.pod} only when ${fault.what}`, async () => {
        const pod = c.pods[fault.pod];
        await fault.apply(c, pod);
        try {
          const findings = diagnose(await c.cluster.topology()).findings.filter((f) => f.severity !== 'info');
          const all = findings.map(describeFinding).join('\n');
          expect([...new Set(findings.map((f) => f.rule))], all).toEqual([fault.rule]);
          const found = findings.filter((f) => f.rule === fault.rule);
          expect(found, all).toHaveLength(1);
          fault.expect(c, pod, found[0]);
          for (const other of c.pods.filter((p) => p !== pod)) {
            const about = findings.filter((f) => f.elements.some((id) => ownsElement(c, other, id)));
            expect(about.map(describeFinding), `findings about the healthy pod ${other.ip}`).toEqual([]);
          }
          if (fault.reachable !== undefined) {
            expect(await c.ping(pod.ip), `ping ${pod.ip} from the worker`).toBe(fault.reachable);
            for (const other of c.pods.filter((p) => p !== pod)) expect(await c.ping(other.ip), `ping the healthy pod ${other.ip}`).toBe(true);
          }
        } finally {
          await fault.heal(c, pod);
        }
        const healed = seriousFindings(await c.cluster.topology());
        expect(healed, healed.join('\n')).toEqual([]);
        expect(await c.unreachable(), 'pings without a reply once healed').toEqual([]);
      });
    }
  });
}
