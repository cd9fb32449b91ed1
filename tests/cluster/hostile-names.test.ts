/**
 * Hostile names through the cluster path (issue 20): the hosts and the API server of tests/helpers/hostile-cluster.ts,
 * collected by the kube source in agent mode (with the pod VM), debug mode and cni-pod mode. Nothing runs a
 * payload on the collecting side or on the hosts, the API server is told names only as JSON values, every exec's
 * argv is the collector's own, and the diagnosis prints fixes that sh reads as exactly the words meant.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureBundle, HostCapture } from '@/lib/capture/types';
import { scriptArgv } from '@/lib/capture/collect/script-host';
import { HOST_ENTER } from '@/lib/kube/debug-pod';
import type { SnapshotView } from '@/lib/snapshot/types';
import { canaries, expectFixesInert, expectReportInert, expectSvgInert, fixLines, viewOf } from '../helpers/hostile-checks';
import { CNI_POD, NODE, PEER_POD, PUBLIC_IP, SANDBOX, startHostileCluster, VM_HOSTNAME, VTEP_MAC, type HostileCluster } from '../helpers/hostile-cluster';
import { DEV_LONGEST, DEV_SCRIPT, DEV_SUBST, DEV_TICK, DEV_UNICODE, DEVICES, NAMESPACES, NS_QUOTES } from '../helpers/hostile-host';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'h25-hostile-'));
/** Where a payload run by the collecting side or on a host would leave its canary (a host's commands start in /). */
const CANARY_DIRS = [scratch, process.cwd(), '/', os.tmpdir(), os.homedir()];
/** Names Kubernetes would refuse as object names: none may reach a request's path or query. */
const UNFIT = [...NAMESPACES, DEV_TICK, DEV_SUBST, DEV_LONGEST, DEV_UNICODE, DEV_SCRIPT, NODE, VM_HOSTNAME, SANDBOX, PUBLIC_IP, VTEP_MAC];
const HOSTILE = [...UNFIT, CNI_POD];

let cluster: HostileCluster;
const bundles = new Map<string, CaptureBundle>();
let view: SnapshotView;

function noCanaries(): void {
  expect(CANARY_DIRS.flatMap((d) => canaries(d).filter((f) => f.startsWith('PWG')))).toEqual([]);
}

function host(bundle: CaptureBundle, name: string): HostCapture {
  const found = bundle.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`no host ${name} in the bundle (${bundle.hosts.map((h) => h.name).join(', ')})`);
  return found;
}

beforeAll(async () => {
  noCanaries();
  cluster = await startHostileCluster();
  bundles.set('agent', await cluster.capture('agent', true));
  bundles.set('debug', await cluster.capture('debug'));
  bundles.set('cni-pod', await cluster.capture('cni-pod'));
  view = viewOf(bundles.get('agent') as CaptureBundle, NODE);
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('hostile names through the cluster path', () => {
  it.each(['agent', 'debug', 'cni-pod'])('%s mode collects every namespace and device under its own name, running no payload', (mode) => {
    const bundle = bundles.get(mode) as CaptureBundle;
    const worker = host(bundle, NODE);
    expect([worker.status, worker.error]).toEqual(['complete', undefined]);
    expect(worker.namespaces.map((n) => n.netns)).toEqual(expect.arrayContaining(NAMESPACES));
    const links = worker.namespaces.flatMap((n) => n.commands.filter((c) => c.id === 'ip-link').map((c) => c.stdout)).join('\n');
    for (const dev of DEVICES) expect(links).toContain(JSON.stringify(dev));
    noCanaries();
  });

  it('reads the pod VM under the host name it gives itself, and the worker record from its hostile sandbox directory', () => {
    const bundle = bundles.get('agent') as CaptureBundle;
    expect(host(bundle, VM_HOSTNAME)).toMatchObject({ role: 'podvm', status: 'complete', podVm: { pod: { namespace: PEER_POD.namespace, name: PEER_POD.name } } });
    const record = host(bundle, NODE)
      .namespaces.find((n) => n.netns === null)
      ?.commands.find((c) => c.id === 'peerpod-sandboxes');
    expect(JSON.parse(record?.stdout ?? '{}')).toMatchObject({ sandbox: SANDBOX, 'pod-network': { 'worker-node-ip': PUBLIC_IP } });
  });

  it('tells the API server names only as JSON values, and runs only the collector on the hosts', () => {
    const script = fs.readFileSync(path.join('public', 'tunnelscope-collect.sh'), 'utf8');
    const worker = ['--role', 'worker'];
    const allowed = [
      scriptArgv(script, { enter: [], scriptArgs: worker }),
      scriptArgv(script, { enter: HOST_ENTER, scriptArgs: worker }),
      scriptArgv(script, { enter: [], scriptArgs: ['--role', 'podvm', '--no-netns'] }),
    ];
    const execs = cluster.server.requests.filter((r) => r.method === 'EXEC').map((r) => new URLSearchParams(r.search).getAll('command'));
    // agent + pod VM, debug, cni-pod
    expect(execs).toHaveLength(4);
    for (const argv of execs) expect(allowed).toContainEqual(argv);
    for (const r of cluster.server.requests) for (const name of UNFIT) expect(decodeURIComponent(r.path + r.search)).not.toContain(name);
    const created = cluster.server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pods'));
    expect(created).toHaveLength(1);
    const spec = (created[0].body as { spec: { nodeName: string; containers: { command: string[] }[] } }).spec;
    expect(spec.nodeName).toBe(NODE);
    expect(spec.containers.map((c) => c.command[0])).toEqual(['sleep']);
  });

  it('diagnoses the faults and prints fixes that quote the names', () => {
    const rules = new Set(view.findings.map((f) => f.rule));
    for (const rule of ['link-down-or-no-carrier', 'veth-mtu-mismatch', 'duplicate-ip-address', 'flannel-annotation-mismatch']) expect(rules).toContain(rule);
    const lines = fixLines(view.findings);
    expect(lines).toContain("ip netns exec 'h20-ts$(touch${IFS}PWNED1)x' ip link set 'e`id`' up");
    expect(lines.some((l) => l.includes(NS_QUOTES.replace(/'/g, `'\\''`)))).toBe(true);
    // The node's name, from an API server nobody vouches for, and the longest pod name, in kubectl lines.
    expect(lines).toContain(`kubectl annotate node 'h25-$(touch\${IFS}PWG1)'\\''"<script>alert(1)</script>' --overwrite flannel.alpha.coreos.com/public-ip=192.168.10.1`);
    expect(lines).toContain(`kubectl -n kube-flannel delete pod ${CNI_POD}`);
    expect(view.findings.find((f) => f.rule === 'link-down-or-no-carrier')?.fixOn?.[0]?.on).toMatchObject({ host: NODE });
    expect(view.meta.hosts).toEqual(expect.arrayContaining([NODE, VM_HOSTNAME]));
  });

  it('gives every fix line to sh as exactly the words meant, running no payload', () => {
    expectFixesInert(view.findings, HOSTILE, scratch);
    noCanaries();
  });

  it('writes report.md and graph.svg inert', () => {
    expectReportInert(view);
    expectSvgInert(view, DEV_SCRIPT);
  });

  it('collects the worker through the CNI pod of the longest name a pod may have', () => {
    const execs = cluster.server.requests.filter((r) => r.method === 'EXEC').map((r) => r.path);
    expect(execs).toContain(`/api/v1/namespaces/kube-flannel/pods/${CNI_POD}/exec`);
    expect(execs).toContain(`/api/v1/namespaces/${PEER_POD.namespace}/pods/${PEER_POD.name}/exec`);
  });
});
