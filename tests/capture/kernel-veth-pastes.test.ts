/**
 * Real kernel devices built with plain `ip` commands (not the lab's code), pasted as an engineer would: from the
 * node side and from inside the pods, with and without `ip netns list-id`, with names and ifindexes differing
 * between the ends. A healthy pod must never read as "veth … has no peer"; a pod whose host end is down must be
 * found on the host end, with the command that brings it up.
 *
 * A "node" is a namespace here; what the engineer sees from each place is printed in a private mount namespace
 * where /run/netns holds only the names that place would know (a node names its pods; a pod knows no name for the
 * node; a docker-style node knows no names at all).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '@/lib/capture/import';
import { analyze } from '@/lib/analyze';

const P = `h18-kv${process.pid % 1000}-`;
const NODE = `${P}node`;
const POD_OK = `${P}web`;
const POD_DOWN = `${P}db`;
const POD_ROUTED = `${P}api`;
const ALL = [NODE, POD_OK, POD_DOWN, POD_ROUTED];
const work = path.join(os.tmpdir(), `${P}work`);
const viewDir = path.join(work, 'view');
const viewScript = path.join(work, 'view.sh');

// Prints what a place sees: /run/netns narrowed to the names in $3, then the command in namespace $2.
const VIEW = `d=$1; ns=$2; keep=$3; shift 3
mount --rbind /run/netns "$d" && mount -t tmpfs none /run/netns || exit 1
for k in $keep; do : > "/run/netns/$k"; mount --bind "$d/$k" "/run/netns/$k" || exit 1; done
exec nsenter --net="$d/$ns" "$@"
`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function seen(netns: string, names: readonly string[], argv: string[]): string {
  return execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', viewScript, viewDir, netns, names.join(' '), ...argv], { encoding: 'utf8' });
}

function removeNamespaces(): void {
  for (const ns of ALL) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // not there
    }
  }
}

/** Moves the ifindex counter of a namespace on: a veth pair made and deleted. */
function burnIndexes(netns: string, n: number): void {
  for (let i = 0; i < n; i++) {
    ip('-n', netns, 'link', 'add', 'tmp0', 'type', 'veth', 'peer', 'name', 'tmp1');
    ip('-n', netns, 'link', 'del', 'tmp0');
  }
}

let sleepers: ChildProcess[] = [];

beforeAll(() => {
  removeNamespaces();
  mkdirSync(viewDir, { recursive: true });
  writeFileSync(viewScript, VIEW);
  for (const ns of ALL) ip('netns', 'add', ns);
  ip('-n', NODE, 'link', 'set', 'lo', 'up');
  // A same-namespace pair on the node (name@peer form), then a bridge: the pods' host ends get high ifindexes.
  ip('-n', NODE, 'link', 'add', 'vx-a', 'type', 'veth', 'peer', 'name', 'vx-b');
  burnIndexes(NODE, 3);
  ip('-n', NODE, 'link', 'add', 'cbr0', 'type', 'bridge');
  ip('-n', NODE, 'addr', 'add', '10.88.0.1/24', 'dev', 'cbr0');
  ip('-n', NODE, 'link', 'set', 'cbr0', 'up');
  const pods: [string, string, string, boolean][] = [
    [POD_OK, 'veth3f2a9c01', '10.88.0.7', true],
    [POD_DOWN, 'veth77b01d2e', '10.88.0.8', false],
  ];
  for (const [pod, hostEnd, addr, up] of pods) {
    burnIndexes(pod, pod === POD_OK ? 2 : 5);
    ip('-n', NODE, 'link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod);
    ip('-n', NODE, 'link', 'set', hostEnd, 'master', 'cbr0');
    if (up) ip('-n', NODE, 'link', 'set', hostEnd, 'up');
    ip('-n', pod, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
    ip('-n', pod, 'link', 'set', 'eth0', 'up');
    ip('-n', pod, 'route', 'add', 'default', 'via', '10.88.0.1');
  }
  // A routed pod (Calico style): no bridge, a /32 route to the host end.
  ip('-n', NODE, 'link', 'add', 'cali5d1e0f3a', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', POD_ROUTED);
  ip('-n', NODE, 'link', 'set', 'cali5d1e0f3a', 'up');
  ip('-n', NODE, 'route', 'add', '10.77.1.9/32', 'dev', 'cali5d1e0f3a');
  ip('-n', POD_ROUTED, 'addr', 'add', '10.77.1.9/32', 'dev', 'eth0');
  ip('-n', POD_ROUTED, 'link', 'set', 'eth0', 'up');
  ip('-n', POD_ROUTED, 'route', 'add', '169.254.1.1', 'dev', 'eth0');
  ip('-n', POD_ROUTED, 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0');
}, 60_000);

afterAll(() => {
  for (const s of sleepers) s.kill();
  sleepers = [];
  removeNamespaces();
  rmSync(work, { recursive: true, force: true });
});

const PODS = [POD_OK, POD_DOWN, POD_ROUTED];
const NODE_NAMES = PODS; // a node's /run/netns names its pods, never itself

function block(prompt: string, typed: string, output: string): string {
  return `${prompt}${typed}\n${output}`;
}

interface Paste {
  nodeLink: string[];
  listId: boolean;
  podCommand: string[];
}

/** A paste from the node: its devices, perhaps its nsid map, and each pod entered with `ip netns exec`. */
function nodePaste(p: Paste): string {
  const prompt = '[root@worker-7 ~]# ';
  const parts = [block(prompt, p.nodeLink.join(' '), seen(NODE, NODE_NAMES, p.nodeLink))];
  if (p.listId) parts.push(block(prompt, 'ip netns list-id', seen(NODE, NODE_NAMES, ['ip', 'netns', 'list-id'])));
  for (const pod of PODS) {
    // Inside the pod, nothing names the node's namespace: the pod's eth0 says `link-netnsid 0`.
    parts.push(block(prompt, `ip netns exec ${pod} ${p.podCommand.join(' ')}`, seen(pod, PODS, p.podCommand)));
    if (p.listId) parts.push(block(prompt, `ip netns exec ${pod} ip netns list-id`, seen(pod, PODS, ['ip', 'netns', 'list-id'])));
  }
  return parts.join('');
}

function diagnosePaste(text: string, name = 'paste.txt') {
  const { bundle, problems } = importFiles([{ name, content: text }]);
  return { ...analyze(bundle), problems };
}

function vethEdges(topology: ReturnType<typeof analyze>['topology']): string[] {
  return topology.edges.filter((e) => e.kind === 'veth').map((e) => `${e.source} ${e.target}`);
}

describe('veth pairs from real kernel devices, pasted from the node', () => {
  const variants: [string, Paste][] = [
    ['ip -d link + ip a in pods, with list-id', { nodeLink: ['ip', '-d', 'link', 'show'], listId: true, podCommand: ['ip', 'a'] }],
    ['ip -d link + ip a in pods, no list-id', { nodeLink: ['ip', '-d', 'link', 'show'], listId: false, podCommand: ['ip', 'a'] }],
    ['ip link + ip -d link in pods, no list-id', { nodeLink: ['ip', 'link'], listId: false, podCommand: ['ip', '-d', 'link'] }],
    ['ip a everywhere, with list-id', { nodeLink: ['ip', 'a'], listId: true, podCommand: ['ip', 'a'] }],
    ['ip -j -d link + ip -j a in pods', { nodeLink: ['ip', '-j', '-d', 'link'], listId: false, podCommand: ['ip', '-j', 'a'] }],
  ];

  it.each(variants)('%s: no veth is said to have no peer; every pod pairs with its host end', (_name, paste) => {
    const result = diagnosePaste(nodePaste(paste));
    expect(result.findings.filter((f) => f.rule === 'veth-peer-broken')).toEqual([]);
    const edges = vethEdges(result.topology);
    for (const [pod, hostEnd] of [
      [POD_OK, 'veth3f2a9c01'],
      [POD_DOWN, 'veth77b01d2e'],
      [POD_ROUTED, 'cali5d1e0f3a'],
    ]) {
      expect(edges.some((e) => e.includes(`/if:${hostEnd}`) && e.includes(`/ns:${pod}/if:eth0`))).toBe(true);
    }
  });

  it.each(variants)('%s: the pod whose host end is down is found on the host end, with the command that brings it up', (_name, paste) => {
    const { findings } = diagnosePaste(nodePaste(paste));
    const down = findings.filter((f) => f.rule === 'link-down-or-no-carrier');
    expect(down.map((f) => f.title)).toEqual([expect.stringContaining('veth77b01d2e')]);
    expect(down[0].elements).toEqual(expect.arrayContaining([expect.stringMatching(/\/if:veth77b01d2e$/)]));
    expect((down[0].fix ?? []).join('\n')).toContain('ip link set veth77b01d2e up');
    expect((down[0].fix ?? []).join('\n')).not.toContain('netns exec');
  });
});

describe('veth pairs from real kernel devices, pasted from inside the pods only', () => {
  it('reads a pod-side paste (eth0@ifN link-netnsid 0) without claiming the peer is gone', () => {
    const text = PODS.map((pod) => block('/ # ', 'ip a', seen(pod, [], ['ip', 'a'])) + block('/ # ', 'ip route', seen(pod, [], ['ip', 'route']))).join('');
    const result = diagnosePaste(text);
    expect(result.findings.filter((f) => f.rule === 'veth-peer-broken')).toEqual([]);
  });

  it('reads the pod side with its own nsid map (nsid 0 without a name) without claiming the peer is gone', () => {
    const text = block('# ', 'ip -d link', seen(POD_OK, [], ['ip', '-d', 'link'])) + block('# ', 'ip netns list-id', seen(POD_OK, [], ['ip', 'netns', 'list-id']));
    const result = diagnosePaste(text);
    expect(result.findings.filter((f) => f.rule === 'veth-peer-broken')).toEqual([]);
  });
});

describe('veth pairs from real kernel devices, a node that names no namespace (docker style)', () => {
  it('pairs pods entered with nsenter -t PID -n through the ends that point back at each other', async () => {
    const pids: Record<string, number> = {};
    for (const pod of PODS) {
      const child = spawn('ip', ['netns', 'exec', pod, 'sleep', '600'], { stdio: 'ignore' });
      sleepers.push(child);
      pids[pod] = child.pid ?? 0;
    }
    // ip netns exec enters the namespace, then runs sleep in the same process: wait until it is inside.
    const self = execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' });
    for (const pod of PODS) {
      while (execFileSync('readlink', [`/proc/${pids[pod]}/ns/net`], { encoding: 'utf8' }) === self) await new Promise((r) => setImmediate(r));
    }
    const prompt = 'root@docker-host:~# ';
    const parts = [block(prompt, 'ip -d link', seen(NODE, [], ['ip', '-d', 'link'])), block(prompt, 'ip netns list-id', seen(NODE, [], ['ip', 'netns', 'list-id']))];
    for (const pod of PODS) parts.push(block(prompt, `nsenter -t ${pids[pod]} -n ip a`, seen(pod, [], ['ip', 'a'])));
    const result = diagnosePaste(parts.join(''));
    expect(result.findings.filter((f) => f.rule === 'veth-peer-broken')).toEqual([]);
    const edges = vethEdges(result.topology);
    expect(edges.filter((e) => e.includes('/ns:pid:')).length).toBe(PODS.length);
    expect(result.findings.filter((f) => f.rule === 'link-down-or-no-carrier').map((f) => f.title)).toEqual([expect.stringContaining('veth77b01d2e')]);
  });
});
