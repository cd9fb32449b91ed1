/**
 * A paste as an engineer makes it during an incident: a few devices by name (`ip a show br-ex`), one namespace's
 * links, the filters of one device, and the pod VM's tunnel device — not the whole catalog. The layouts are
 * iproute2 5.x/6.x text (RHEL 9 worker, OVN-Kubernetes, a peer pod whose VM is reached over SSH); the names,
 * addresses, MACs and VNI are our own. What was not listed must not be reported as missing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTranscript } from '@/lib/capture/paste/transcript';
import { parseHost } from '@/lib/parse';
import { buildTopology } from '@/lib/topology/build';
import { diagnose } from '@/lib/diagnose';
import type { Finding } from '@/lib/diagnose/types';
import type { NamespaceState } from '@/lib/parse/types';

const PASTE = readFileSync(path.join(__dirname, '../fixtures/capture/peerpod-partial-paste.txt'), 'utf8');
const WORKER = 'ip-10-0-0-12';
const POD_NS = '7f3a9c2e-1b4d-4c1e-9f0a-2b3c4d5e6f70';
const WORKER_PROMPT = `[root@${WORKER} ~]# `;

/** The paste with more commands run on the worker, right after its first prompt. */
function withWorkerCommands(extra: string): string {
  const at = PASTE.indexOf(WORKER_PROMPT);
  return `${PASTE.slice(0, at)}${extra}${PASTE.slice(at)}`;
}

function analyse(text: string): { findings: Finding[]; ns: (host: string, netns: string | null) => NamespaceState } {
  const { hosts } = parseTranscript(text, { collectedAt: '2026-12-04T10:00:00.000Z' });
  const states = hosts.map(parseHost);
  const ns = (host: string, netns: string | null): NamespaceState => {
    const found = states.find((h) => h.name === host)?.namespaces.find((n) => n.netns === netns);
    if (!found) throw new Error(`no namespace ${netns} on ${host}`);
    return found;
  };
  return { findings: diagnose(buildTopology(states)).findings, ns };
}

const rules = (findings: Finding[]): string[] => findings.map((f) => f.rule).sort();

describe('a partial paste of the peer-pod incident', () => {
  it('counts a listing narrowed to one device as that device only', () => {
    const { ns } = analyse(PASTE);
    const root = ns(WORKER, null);
    expect(root.collected).not.toContain('ip-addr');
    expect(root.collectedFor?.['ip-addr']).toEqual(['br-ex', 'ovn-k8s-mp0']);
    const pod = ns(WORKER, POD_NS);
    expect(pod.collected).toEqual(expect.arrayContaining(['ip-link', 'ip-addr']));
    expect(pod.collected).not.toContain('tc-filter');
    expect(pod.collectedFor?.['tc-filter']).toEqual(['eth0']);
  });

  it('finds the MAC mismatch and reports nothing about devices and filters it was not shown', () => {
    const { findings } = analyse(PASTE);
    const mismatch = findings.find((f) => f.rule === 'peerpod-podvm-mac-mismatch');
    expect(mismatch?.fix).toContain('ip netns exec podns ip link set dev vxlan0 address 0a:58:0a:81:02:11');
    expect(rules(findings)).not.toContain('veth-peer-broken');
    expect(rules(findings)).not.toContain('peerpod-tc-redirect-missing');
  });

  it('reports the missing return redirect once the tunnel device’s filters were listed and hold none', () => {
    const listed = withWorkerCommands(`${WORKER_PROMPT}ip netns exec ${POD_NS} tc filter show dev vxlan1 ingress\n`);
    const redirect = analyse(listed).findings.find((f) => f.rule === 'peerpod-tc-redirect-missing');
    expect(redirect?.title).toBe(`No tc redirect vxlan1 → eth0 in ${POD_NS} on ${WORKER}`);
  });

  it('reports the pod veth without a peer once the whole root namespace was listed without it', () => {
    const rootLinks = [
      `${WORKER_PROMPT}ip link`,
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
      '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
      '2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq master ovs-system state UP mode DEFAULT group default qlen 1000',
      '    link/ether 06:4f:2a:11:9c:01 brd ff:ff:ff:ff:ff:ff',
      '',
    ].join('\n');
    const broken = analyse(withWorkerCommands(rootLinks)).findings.find((f) => f.rule === 'veth-peer-broken');
    expect(broken?.title).toBe(`veth eth0 on ${WORKER} has no peer`);
  });
});

describe('a partial paste from a Cilium node without bpftool', () => {
  const CILIUM = readFileSync(path.join(__dirname, '../fixtures/capture/cilium-partial-paste.txt'), 'utf8');
  const HEALTHY_LISTING = /\[root@cilium-w1 ~\]# tc filter show dev lxc8a1b2c3d4e5f ingress\n(?:filter .*\n)+/;
  const EMPTY_LISTING = '[root@cilium-w1 ~]# tc filter show dev lxcff00aa11bb22 ingress\n';

  it('takes the device kind from `ip link show type veth`', () => {
    const root = analyse(CILIUM).ns('cilium-w1', null);
    expect(root.interfaces.map((i) => [i.name, i.kind])).toEqual([
      ['lxc_health', 'veth'],
      ['lxc8a1b2c3d4e5f', 'veth'],
      ['lxcff00aa11bb22', 'veth'],
    ]);
  });

  it('reports the endpoint whose listed filters hold no program while its neighbour has one on tc', () => {
    const missing = analyse(CILIUM).findings.filter((f) => f.rule === 'cilium-lxc-bpf-missing');
    expect(missing.map((f) => f.title)).toEqual(['lxcff00aa11bb22 on cilium-w1 has no Cilium BPF program on ingress']);
    expect(missing[0].explanation).toContain('while lxc8a1b2c3d4e5f on the same node has its program on tc');
  });

  it('says nothing when no endpoint shows its program on tc (they may all be on tcx) or the filters were not listed', () => {
    expect(CILIUM).toMatch(HEALTHY_LISTING);
    expect(CILIUM).toContain(EMPTY_LISTING);
    for (const text of [CILIUM.replace(HEALTHY_LISTING, ''), CILIUM.replace(EMPTY_LISTING, '')]) {
      expect(rules(analyse(text).findings)).not.toContain('cilium-lxc-bpf-missing');
    }
  });
});

describe('a paste of ovs-vsctl show with one device listed by name', () => {
  const OVS = readFileSync(path.join(__dirname, '../fixtures/capture/ovs-show-paste.txt'), 'utf8');
  const interfaceError = (text: string): Finding | undefined => {
    const { hosts } = parseTranscript(text, { defaultHost: 'worker-7', collectedAt: '2026-12-04T10:00:00.000Z' });
    return diagnose(buildTopology(hosts.map(parseHost))).findings.find((f) => f.rule === 'ovs-interface-error');
  };

  it('reports the port OVS could not open, without claiming its kernel device is gone', () => {
    const f = interfaceError(OVS);
    expect(f?.title).toBe('OVS interface 2f3a9c1b7d8e4f1 on worker-7: could not open network device 2f3a9c1b7d8e4f1 (No such device)');
    expect(f?.explanation).toContain('whether a kernel device 2f3a9c1b7d8e4f1 still exists is not known');
  });

  it('calls it a stale port once every device of the root namespace was listed', () => {
    const listed = `${OVS}sh-5.1# ip -o link\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n`;
    expect(interfaceError(listed)?.explanation).toContain('No kernel device of that name was found: it is a stale port');
  });
});
