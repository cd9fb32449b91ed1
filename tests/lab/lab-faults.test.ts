import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { labBreak, labDown, labHeal, labList, labStatus, labUp, runOnHost, type LabHost } from '@/lib/lab';
import { ping } from '@/lib/lab/probe';

// One `full` lab for the whole file; each fault is broken and healed in turn against real devices.
let hosts: LabHost[] = [];
const host = (name: string) => {
  const h = hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name}`);
  return h;
};
const WORKER = 'ocp-412-ovn-worker-1';
const POD_IP = '10.132.2.46';

/** Healed paths may need a moment (ARP, OVN flow install): up to three one-second tries. */
async function reaches(from: string, ip: string, opts: { size?: number; dontFragment?: boolean } = {}): Promise<boolean> {
  for (let i = 0; i < 3; i++) if (await ping(host(from), ip, opts)) return true;
  return false;
}

const podReachable = () => reaches(WORKER, POD_IP);

beforeAll(async () => {
  hosts = (await labUp({ scenario: 'full' })).hosts;
  await labHeal('podvm-mac-mismatch');
});

afterAll(async () => {
  await labDown();
});

const PING_LOSS_FAULTS = [
  'podvm-mac-mismatch',
  'vxlan-vni-mismatch',
  'vxlan-remote-mismatch',
  'vxlan-port-mismatch',
  'tc-redirect-missing',
  'veth-host-end-down',
  'pod-port-off-bridge',
  'iface-id-missing',
  'mp0-down',
  'node-route-missing',
  'stale-neighbor',
  'podns-firewall-drop',
  'tunnel-peer-missing',
  'underlay-drops-tunnel',
];

describe('lab faults in the full scenario', () => {
  it('brings up every host of the full scenario with all probes answering once the seed fault is healed', async () => {
    const status = await labStatus({ probe: true });
    expect(status?.hosts.map((h) => h.name).sort()).toEqual([
      'k8s-cilium-node-1',
      'k8s-flannel-node-1',
      'k8s-flannel-node-2',
      'ocp-412-ovn-worker-1',
      'ocp-412-ovn-worker-2',
      'podvm-httpd-peer-3f9c2d1e',
      'podvm-nginx-priv-8b726648',
    ]);
    expect(status?.faults).toEqual([]);
    expect(status?.probes.filter((p) => !p.ok)).toEqual([]);
    expect(status?.probes.length).toBe(8);
  });

  it('lists one line for every fault the tests exercise', () => {
    const names = labList().faults.map((f) => f.name);
    expect(names.sort()).toEqual([...PING_LOSS_FAULTS, 'mtu-mismatch', 'duplicate-pod-ip', 'flannel-fdb-missing'].sort());
  });

  it.each(PING_LOSS_FAULTS)('%s: the worker gets no ping reply from the pod when broken and replies again when healed', async (fault) => {
    expect(await podReachable()).toBe(true);
    await labBreak(fault);
    expect((await labStatus({ probe: false }))?.faults).toContain(fault);
    expect(await ping(host(WORKER), POD_IP)).toBe(false);
    await labHeal(fault);
    expect(await podReachable()).toBe(true);
  });

  it('mtu-mismatch: full-size 1400-byte packets are lost while small pings still get replies', async () => {
    // The MTU shrinks only on the pod eth0, so small packets pass; only frames above 1300 bytes are dropped.
    await labBreak('mtu-mismatch');
    expect(await reaches(WORKER, POD_IP)).toBe(true);
    expect(await ping(host(WORKER), POD_IP, { size: 1372, dontFragment: true })).toBe(false);
    await labHeal('mtu-mismatch');
    expect(await reaches(WORKER, POD_IP, { size: 1372, dontFragment: true })).toBe(true);
  });

  it('duplicate-pod-ip: a second namespace and logical port carry the pod IP while broken, and are gone when healed', async () => {
    // Pings still get replies (from whichever pod OVN resolves), so the assertion is on the duplicated state.
    const w = host(WORKER);
    const holders = async () => {
      const out = await runOnHost(w, ['ovn-nbctl', '--bare', '--columns=addresses', 'list', 'logical_switch_port']);
      return out.stdout.split('\n').filter((l) => l.includes(POD_IP)).length;
    };
    expect(await holders()).toBe(1);
    await labBreak('duplicate-pod-ip');
    expect(await holders()).toBe(2);
    const status = await labStatus({ probe: false });
    expect(status?.hosts.find((h) => h.name === WORKER)?.namespaces.length).toBe(2);
    await labHeal('duplicate-pod-ip');
    expect(await holders()).toBe(1);
    expect(await podReachable()).toBe(true);
  });

  it("flannel-fdb-missing: the first flannel node cannot reach the other node's pod until the FDB entry is back", async () => {
    expect(await reaches('k8s-flannel-node-1', '10.244.2.2')).toBe(true);
    await labBreak('flannel-fdb-missing');
    expect(await ping(host('k8s-flannel-node-1'), '10.244.2.2')).toBe(false);
    await labHeal('flannel-fdb-missing');
    expect(await reaches('k8s-flannel-node-1', '10.244.2.2')).toBe(true);
  });

  it('puts a tc bpf or u32 ingress filter on each Cilium-style lxc device', async () => {
    const out = await runOnHost(host('k8s-cilium-node-1'), ['tc', '-j', 'filter', 'show', 'dev', 'lxc8e1f0c2a7b3d', 'ingress']);
    const filters: unknown = JSON.parse(out.stdout);
    expect(Array.isArray(filters) && filters.some((f) => ['bpf', 'u32'].includes((f as { kind?: string }).kind ?? ''))).toBe(true);
  });
});
