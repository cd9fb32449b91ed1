// Builds peer-pod clusters unlike the lab in real kernel namespaces (names start with tsp-): bridge CNI workers,
// several peer pods per worker and per pod VM, peer pods of two workers on one pod VM, sandbox-style namespace names,
// other tunnel device names, VNIs and UDP ports, redirects on clsact, dual-stack pods. Each must carry traffic and diagnose clean; then one fault at a time is put into the kernel and must be
// reported by its rule on that pod's own devices, with a fix naming them, and on nothing of the other pods.
// Needs root, iproute2 and tc (u32, mirred).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '@/lib/diagnose';
import type { Finding } from '@/lib/diagnose/types';
import { edgeId, ifaceId } from '@/lib/topology/ids';
import type { Topology } from '@/lib/topology/types';
import { describe as describeFinding, edgesOf, removeLeftovers, seriousFindings, shortId } from './layouts/kernel-cluster';
import { PEERPOD_PREFIX, PeerPodCluster, type PeerPod, type PeerPodLayout, type TunnelEnd } from './layouts/peerpods';

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
  /**
   * For a tunnel end sending to a wrong remote: that end. VXLAN learning can still carry the ping, once the far
   * end has sent it a frame (a neighbour probe, a reply); the test then reads the learned entry from the kernel.
   */
  wrongRemote?: TunnelEnd;
  /**
   * The pod VM device answers ARP itself (no ARP responder in front of it, as on a bridge CNI): a worker that asks
   * again learns the VM's MAC and the ping goes through. The test then reads that neighbour entry from the kernel.
   */
  answersArp?: boolean;
}

interface Variant {
  what: string;
  layout: Omit<PeerPodLayout, 'pods'>;
  pods: PeerPodLayout['pods'];
  faults: Fault[];
}

const WRONG_REMOTE_HOST = 99;

const worker = (pod: PeerPod, device: string) => ifaceId(pod.workerNode.host.name, pod.netns, device);
const vmEnd = (pod: PeerPod) => ifaceId(pod.vmNode.host.name, pod.vmNetns, pod.vmDevice);
const tunnelEdge = (pod: PeerPod) => edgeId('tunnel', worker(pod, pod.tunnel), vmEnd(pod));

/** Every id that belongs to one peer pod: its worker namespace, its pod VM namespace, the edges between them. */
function ownsElement(pod: PeerPod, id: string): boolean {
  return id.includes(`host:${pod.workerNode.host.name}/ns:${pod.netns}/`) || id.includes(`host:${pod.vmNode.host.name}/ns:${pod.vmNetns}/`);
}

const macMismatch: Fault = {
  what: "the pod VM device's MAC differs from the pod's eth0 MAC",
  rule: 'peerpod-podvm-mac-mismatch',
  pod: 1,
  apply: (c, pod) => c.setVmMac(pod, OTHER_MAC),
  heal: (c, pod) => c.setVmMac(pod, pod.mac),
  reachable: false,
  answersArp: true,
  expect: (c, pod, f) => {
    expect(f.elements).toEqual([vmEnd(pod), worker(pod, 'eth0'), tunnelEdge(pod)]);
    // No OVS on these workers: the explanation must not lean on OVN's ARP responder.
    expect(f.explanation).not.toContain('OVN');
    expect(f.fix?.slice(0, 3)).toEqual([
      `ip netns exec ${pod.vmNetns} ip link set ${pod.vmDevice} down`,
      `ip netns exec ${pod.vmNetns} ip link set dev ${pod.vmDevice} address ${pod.mac}`,
      `ip netns exec ${pod.vmNetns} ip link set ${pod.vmDevice} up`,
    ]);
    // Then what the down took away: routes through the device, and IPv6 addresses of a dual-stack pod.
    const onVm =
      f.fix?.slice(
        3,
        f.fix.findIndex((line) => line.startsWith('# durable')),
      ) ?? [];
    for (const line of onVm) expect(line).toMatch(new RegExp(`^ip netns exec ${pod.vmNetns} ip (-6 )?(route|addr) replace .* dev ${pod.vmDevice}( scope link)?$`));
  },
};

/** One end of a tunnel is recreated with another VNI: cloud-api-adaptor on that side runs with another vxlan-min-id. */
const vniMismatch = (pod: number, end: TunnelEnd = 'vm'): Fault => ({
  what: `the ${end === 'vm' ? 'pod VM' : 'worker'} end of one tunnel uses another VNI`,
  rule: 'peerpod-vni-or-port-mismatch',
  pod,
  apply: (c, p) => c.rebuildTunnel(p, end, { vni: p.vni + 1000 }),
  heal: (c, p) => c.rebuildTunnel(p, end),
  reachable: false,
  expect: (c, p, f) => {
    const [onWorker, onVm] = end === 'vm' ? [p.vni, p.vni + 1000] : [p.vni + 1000, p.vni];
    expect(f.elements).toEqual([worker(p, p.tunnel), vmEnd(p), tunnelEdge(p)]);
    expect(f.title).toBe(`Peer-pod tunnel ${p.tunnel} ↔ ${p.vmDevice}: VNI ${onWorker} on the worker vs ${onVm} on the pod VM`);
    expect((f.fix ?? []).join('\n')).toContain(`netns ${p.netns} on ${p.workerNode.host.name}`);
  },
});

/** The pod VM end is rebuilt on another port, its NOTRACK rules with it (they come from the same configuration). */
async function moveVmPort(c: PeerPodCluster, p: PeerPod, from: number, to: number): Promise<void> {
  await c.rebuildTunnel(p, 'vm', { port: to });
  await c.notrack(p.vmNode, 'D', { vni: p.vni, port: from }, p.workerNode.ip);
  await c.notrack(p.vmNode, 'A', { vni: p.vni, port: to }, p.workerNode.ip);
}

const portMismatch: Fault = {
  what: 'the pod VM end of the tunnel uses the default port',
  rule: 'peerpod-vni-or-port-mismatch',
  pod: 0,
  apply: (c, p) => moveVmPort(c, p, p.port, 4789),
  heal: (c, p) => moveVmPort(c, p, 4789, p.port),
  reachable: false,
  expect: (c, p, f) => {
    expect(f.elements).toEqual([worker(p, p.tunnel), vmEnd(p), tunnelEdge(p)]);
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
      expect(f.elements).toEqual([worker(p, 'eth0'), worker(p, p.tunnel)]);
      expect(f.title).toBe(`No tc redirect ${from} → ${to} in ${p.netns} on ${p.workerNode.host.name}`);
      const redirect = `protocol all u32 match u32 0 0 action mirred egress redirect dev ${to}`;
      if (c.layout.redirects === 'clsact') {
        // The clsact qdisc is still there: adding an ingress qdisc would fail, the filter goes on its ingress hook.
        expect(f.fix).toEqual([`ip netns exec ${p.netns} tc filter add dev ${from} ingress ${redirect}`]);
      } else {
        expect(f.fix).toContain(`ip netns exec ${p.netns} tc filter add dev ${from} parent ffff: ${redirect}`);
      }
    },
  };
};

const notrackMissing: Fault = {
  what: "the worker's NOTRACK rules for one tunnel are deleted",
  rule: 'peerpod-vxlan-conntrack-tracked',
  pod: 0,
  apply: (c, p) => c.notrack(p.workerNode, 'D', p, p.vmNode.ip),
  heal: (c, p) => c.notrack(p.workerNode, 'A', p, p.vmNode.ip),
  expect: (c, p, f) => {
    expect(f.elements).toEqual([worker(p, p.tunnel), `host:${p.workerNode.host.name}`]);
    expect(f.fix).toContain(`iptables -t raw -A peerpod-OUTPUT -m comment --comment 'peerpod [vni:${p.vni}]' -d ${p.vmNode.ip}/32 -p udp -m udp --dport ${p.port} -j NOTRACK`);
  },
};

/** One end of the tunnel sends to an underlay address no host has (the pod VM got another address, say). */
const remoteMismatch = (pod: number, end: TunnelEnd): Fault => {
  const wrong = (c: PeerPodCluster) => `${c.layout.underlay}.${WRONG_REMOTE_HOST}`;
  return {
    what: `the ${end === 'vm' ? 'pod VM' : 'worker'} end of one tunnel sends to an address of no host`,
    rule: 'peerpod-tunnel-endpoint-mismatch',
    pod,
    apply: (c, p) => c.rebuildTunnel(p, end, { remote: wrong(c) }),
    heal: (c, p) => c.rebuildTunnel(p, end),
    reachable: false,
    wrongRemote: end,
    expect: (c, p, f) => {
      const [wrongEnd, host] = end === 'vm' ? [vmEnd(p), p.vmNode] : [worker(p, p.tunnel), p.workerNode];
      expect(f.elements[0]).toBe(wrongEnd);
      expect(f.elements).not.toContain(end === 'vm' ? worker(p, p.tunnel) : vmEnd(p));
      expect(f.explanation).toContain(`${end === 'vm' ? p.vmDevice : p.tunnel} on ${host.host.name} sends to ${wrong(c)}`);
      expect((f.fix ?? []).join('\n')).toContain(`netns ${p.netns} on ${p.workerNode.host.name}`);
    },
  };
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
  {
    what: 'D: redirects on a clsact qdisc instead of the legacy ingress qdisc',
    layout: { name: 'cls', underlay: '172.29.44', bridge: 'cni0', subnet: '10.92.4', mtu: 1450, worker: 'worker-d', vms: ['podvm-d1', 'podvm-d2'], redirects: 'clsact' },
    pods: [
      { seed: 'cls-1', tunnel: 'vxlan1', vni: 3301, port: 4789, vm: 0, vmNetns: 'podns', vmDevice: 'vxlan0' },
      { seed: 'cls-2', tunnel: 'tun-cls', vni: 3302, port: 4789, vm: 1, vmNetns: 'podns', vmDevice: 'vxlan0' },
    ],
    faults: [redirectMissing(0, 'to-vm'), redirectMissing(1, 'to-pod'), macMismatch],
  },
  {
    what: 'E: faults on the worker end of the tunnel and on either remote',
    layout: { name: 'wke', underlay: '172.29.45', bridge: 'cbr0', subnet: '10.92.5', mtu: 1400, worker: 'worker-e', vms: ['podvm-e1', 'podvm-e2'] },
    pods: [
      { seed: 'wke-api', tunnel: 'vx-api', vni: 6101, port: 4789, vm: 0, vmNetns: 'sandbox-api', vmDevice: 'eth1' },
      { seed: 'wke-job', tunnel: 'vx-job', vni: 6102, port: 4789, vm: 1, vmNetns: 'sandbox-job', vmDevice: 'vxlan0' },
    ],
    faults: [vniMismatch(0, 'worker'), vniMismatch(1, 'worker'), remoteMismatch(1, 'vm'), remoteMismatch(0, 'worker')],
  },
  {
    what: 'F: two workers whose peer pods share one pod VM (a namespace each, other VNIs, other remotes)',
    layout: {
      name: 'two',
      underlay: '172.29.46',
      bridge: 'cni0',
      subnet: '10.92.6',
      mtu: 1400,
      worker: 'worker-f1',
      moreWorkers: [{ name: 'worker-f2', subnet: '10.92.7' }],
      vms: ['podvm-f'],
    },
    pods: [
      { seed: 'two-a', tunnel: 'vxlan1', vni: 5101, port: 4789, vm: 0, vmNetns: 'pod-a', vmDevice: 'vxlan0' },
      { seed: 'two-b', tunnel: 'vxlan1', vni: 5102, port: 4789, vm: 0, vmNetns: 'pod-b', vmDevice: 'vxlan0', worker: 1 },
    ],
    faults: [macMismatch, { ...macMismatch, pod: 0 }, vniMismatch(1), vniMismatch(0, 'worker'), remoteMismatch(1, 'worker'), redirectMissing(1, 'to-pod')],
  },
  {
    what: 'G: dual-stack pods, the pod VM device carrying the IPv6 address too',
    layout: { name: 'dual', underlay: '172.29.47', bridge: 'cni0', subnet: '10.92.8', subnet6: 'fd00:92:8', mtu: 1400, worker: 'worker-g', vms: ['podvm-g1', 'podvm-g2'] },
    pods: [
      { seed: 'dual-1', tunnel: 'vxlan1', vni: 8801, port: 4789, vm: 0, vmNetns: 'podns', vmDevice: 'vxlan0' },
      { seed: 'dual-2', tunnel: 'vxlan1', vni: 8802, port: 4789, vm: 1, vmNetns: 'podns', vmDevice: 'vxlan0' },
    ],
    faults: [macMismatch, redirectMissing(0, 'to-vm')],
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
      const tunnels = c.pods.map((p) => [shortId(worker(p, p.tunnel)), shortId(vmEnd(p))].sort().join(' ~ ')).sort();
      expect(edgesOf(topology, 'tunnel')).toEqual(tunnels);
      for (const p of c.pods) {
        const edge = topology.edges.find((e) => e.id === tunnelEdge(p));
        expect(edge, `tunnel edge of ${p.ip}`).toMatchObject({ vni: p.vni, port: p.port, marks: [] });
      }
      for (const p of c.pods) {
        const [eth0, tun] = [shortId(worker(p, 'eth0')), shortId(worker(p, p.tunnel))];
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
        let healed: string[] = [];
        await fault.apply(c, pod);
        try {
          const findings = diagnose(await c.cluster.topology()).findings.filter((f) => f.severity !== 'info');
          const all = findings.map(describeFinding).join('\n');
          expect([...new Set(findings.map((f) => f.rule))], all).toEqual([fault.rule]);
          const found = findings.filter((f) => f.rule === fault.rule);
          expect(found, all).toHaveLength(1);
          fault.expect(c, pod, found[0]);
          for (const other of c.pods.filter((p) => p !== pod)) {
            const about = findings.filter((f) => f.elements.some((id) => ownsElement(other, id)));
            expect(about.map(describeFinding), `findings about the healthy pod ${other.ip}`).toEqual([]);
          }
          if (fault.reachable !== undefined) {
            const reached = await c.ping(pod.ip, pod.workerNode);
            if (reached && !fault.reachable && fault.answersArp) {
              expect(await c.resolvedMac(pod.workerNode, pod.ip), `ping ${pod.ip} answered despite the MAC mismatch`).toBe(OTHER_MAC);
            } else if (reached && !fault.reachable && fault.wrongRemote !== undefined) {
              // Only the kernel's learned entry to the right remote can explain the reply: read it, do not assume it.
              const right = fault.wrongRemote === 'vm' ? pod.workerNode.ip : pod.vmNode.ip;
              expect(await c.learnedRemotes(pod, fault.wrongRemote), `ping ${pod.ip} answered despite the wrong remote`).toContain(right);
            } else {
              expect(reached, `ping ${pod.ip} from the worker`).toBe(fault.reachable);
            }
            for (const other of c.pods.filter((p) => p !== pod)) expect(await c.ping(other.ip, other.workerNode), `ping the healthy pod ${other.ip}`).toBe(true);
          }
        } finally {
          await fault.heal(c, pod);
          // Taken right after the fix, with what the fault's traffic left in neighbour caches: no warning may remain.
          healed = seriousFindings(await c.cluster.topology());
          // Then the kernel forgets what this test's traffic taught it, so that the next test starts from a clean state.
          await c.forget();
        }
        expect(healed, healed.join('\n')).toEqual([]);
        expect(await c.unreachable(), 'pings without a reply once healed').toEqual([]);
      });
    }
  });
}
