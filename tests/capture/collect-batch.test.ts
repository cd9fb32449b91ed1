/**
 * The collector script batches a namespace's ip, tc and bridge commands (`-force -batch`, run inside the namespace,
 * or with `-n NS`) and splits the output back into one record per command. On one real kernel host, its capture must read as the capture of the same
 * script running every command on its own (--no-batch) does: the same records with the same status, the same
 * devices, addresses, routes, neighbours, qdiscs and filters. The host has a pod with a hostile name, a pod whose
 * device disappears between listing its tc hooks and reading its filters, and a namespace that cannot be entered.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCollectorOutput } from '@/lib/capture/collect/collector-output';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import { collectWithScript } from '@/lib/capture/collect/script-host';
import type { HostCapture } from '@/lib/capture/types';
import { onHost, runOnHost } from '@/lib/lab/host';
import type { LabHost } from '@/lib/lab/types';
import { parseHost } from '@/lib/parse';
import { buildHosts, type TestHosts } from '../cluster/hosts';
import { COLLECTOR_SCRIPT } from '../helpers/collect-script';

const SCRIPT = path.resolve(__dirname, '../../public/tunnelscope-collect.sh');
const HOSTILE = 'ts$(touch${IFS}PWNED1)x';
const GONE = 'pod-gone';
const BROKEN = 'not-a-netns';

let built: TestHosts;
let host: LabHost;
let scratch: string;
let batched: HostCapture;
let single: HostCapture;
let runner: HostCapture;
/** The ip batches of the batched run, a line each (see writeBatchLoggingIp). */
let ipBatches: string[];

/**
 * A `tc` first on PATH that deletes GONE's device dummy0 just before its filters are read, after its qdiscs were
 * listed: the filters asked for fail, as when a pod goes away during a collection. On its own a read is
 * `tc -j filter show dev dummy0 HOOK`; batched, a line of the batch file tc reads.
 */
function writeRacingTc(dir: string): void {
  const tc = path.join(dir, 'tc');
  const readsFilters = `{ case " $* " in *" filter show dev dummy0 "*) true ;; *) [ "$4 $5" = "-force -batch" ] && grep -q "^filter show dev dummy0 " "$6" ;; esac; }`;
  writeFileSync(tc, `#!/bin/sh\n${readsFilters} && ip -n ${GONE} link del dummy0 2>/dev/null\nexec /usr/sbin/tc "$@"\n`, { mode: 0o755 });
}

/**
 * An `ip` first on PATH that notes each batch it runs ("NETNS-INODE ARGV", -n NS for one run from outside) in
 * ip-batches, then runs the real ip.
 */
function writeBatchLoggingIp(dir: string): void {
  const ip = path.join(dir, 'ip');
  const log = path.join(dir, 'ip-batches');
  writeFileSync(ip, `#!/bin/sh\ncase " $* " in *" -batch "*) echo "$(readlink /proc/self/ns/net) $*" >>${log} ;; esac\nexec /usr/sbin/ip "$@"\n`, { mode: 0o755 });
}

async function addDummy(): Promise<void> {
  await onHost(host, ['ip', 'link', 'add', 'dummy0', 'index', '50', 'address', '02:00:00:00:00:50', 'type', 'veth', 'peer', 'name', 'dummy1', 'index', '51', 'address', '02:00:00:00:00:51'], GONE);
  await onHost(host, ['tc', 'qdisc', 'add', 'dev', 'dummy0', 'clsact'], GONE);
}

async function collect(...options: string[]): Promise<HostCapture> {
  await addDummy();
  const result = await runOnHost(host, ['env', `PATH=${scratch}:/usr/sbin:/usr/bin:/sbin:/bin`, 'sh', SCRIPT, '--role', 'worker', ...options], { timeoutMs: 120_000 });
  expect(result.exitCode, result.stderr).toBe(0);
  const imported = parseCollectorOutput(result.stdout);
  expect(imported.problems).toEqual([]);
  expect(imported.hosts).toHaveLength(1);
  return imported.hosts[0];
}

const VOLATILE = new Set(['stats', 'age', 'probes', 'source', 'durationMs']);

/** A value without counters, timers and where-it-was-read references, which differ from one run to the next. */
function steady(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(steady);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !VOLATILE.has(k))
      .map(([k, v]) => [k, steady(v)]),
  );
}

/**
 * ip_forward and rp_filter are read by `ip -j netconf show` in a namespace's ip batch and by the sysctl listing only
 * where no batch runs (--no-batch): the records of either read are compared as one, "sysctls".
 */
const SYSCTL_READS = new Set(['ip-netconf', 'sysctl']);

function records(capture: HostCapture): string[] {
  return capture.namespaces.flatMap((ns) =>
    ns.commands
      .map((c) => (SYSCTL_READS.has(c.id) ? `${ns.netns ?? '-'} sysctls ${c.status}` : `${ns.netns ?? '-'} ${c.id} ${JSON.stringify(c.params ?? {})} ${c.status} ${c.exitCode} ${c.argv.join(' ')}`))
      .sort(),
  );
}

/** A parsed host that names either sysctl read "sysctls", in the listings its namespaces collected and in its problems. */
function sysctlsAsOne(state: ReturnType<typeof parseHost>): ReturnType<typeof parseHost> {
  const read = /^(ip -j netconf show|sysctl -a -r \S+)/;
  return {
    ...state,
    namespaces: state.namespaces.map((n) => ({ ...n, collected: n.collected?.map((id) => (SYSCTL_READS.has(id) ? 'sysctls' : id)).sort() })),
    problems: state.problems.map((p) => ({ ...p, command: p.command.replace(read, 'sysctls') })),
  };
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'tsbat-'));
  writeRacingTc(scratch);
  writeBatchLoggingIp(scratch);
  built = await buildHosts([{ name: 'batch-host', role: 'worker', pods: { 'pod-a': '10.61.0.2/24', [HOSTILE]: '10.61.1.2/24', [GONE]: '10.61.2.2/24' } }], 'tsbat-');
  host = built.hosts[0];
  await onHost(host, ['tc', 'qdisc', 'add', 'dev', 'eth0', 'clsact'], 'pod-a');
  await onHost(host, ['tc', 'filter', 'add', 'dev', 'eth0', 'ingress', 'prio', '1', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0'], 'pod-a');
  await onHost(host, ['ip', 'neigh', 'add', '10.61.0.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'eth0', 'nud', 'permanent'], 'pod-a');
  await onHost(host, ['ip', '-6', 'route', 'add', 'fd00:61::/64', 'dev', 'eth0'], HOSTILE);
  // sysctl spells a dot inside a device name as `/`: the batched read of /proc/sys must spell it the same.
  await onHost(host, ['ip', 'link', 'add', 'eth0.7', 'type', 'veth', 'peer', 'name', 'eth7'], 'pod-a');
  await onHost(host, ['sysctl', '-w', 'net.ipv4.conf.eth0/7.rp_filter=2', 'net.ipv4.ip_forward=1'], 'pod-a');
  // Listed by `ip netns list`, but nothing can enter it.
  await onHost(host, ['touch', `/run/netns/${BROKEN}`]);
  batched = await collect();
  ipBatches = readFileSync(path.join(scratch, 'ip-batches'), 'utf8').trimEnd().split('\n');
  single = await collect('--no-batch');
  await addDummy();
  runner = await collectWithScript(new PrefixRunner(host.enter, new LocalRunner()), COLLECTOR_SCRIPT, { name: 'batch-host', role: 'worker' });
}, 300_000);

afterAll(async () => {
  await built?.teardown();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the collector script in batches', () => {
  it('reads the same records and state as running every command on its own', () => {
    expect(records(batched)).toEqual(records(single));
    const batchedState = sysctlsAsOne(parseHost(batched));
    const singleState = sysctlsAsOne(parseHost(single));
    const ids = (capture: HostCapture) => [...new Set(capture.namespaces.flatMap((n) => n.commands.map((c) => c.id)).filter((id) => SYSCTL_READS.has(id)))];
    expect(ids(batched)).toEqual(['ip-netconf']);
    expect(ids(single)).toEqual(['sysctl']);
    // Batches run a namespace's ip, tc and bridge commands before its other ones: problems come in another order.
    const problems = (state: typeof batchedState) => state.problems.map((p) => JSON.stringify(p)).sort();
    expect(problems(batchedState)).toEqual(problems(singleState));
    expect(steady({ ...batchedState, problems: [] })).toEqual(steady({ ...singleState, problems: [] }));

    const ns = (name: string) => batchedState.namespaces.find((n) => n.netns === name);
    // What the host holds was read, not only agreed on.
    const hostile = ns(HOSTILE);
    expect(hostile?.interfaces.find((i) => i.name === 'eth0')?.addresses.map((a) => `${a.local}/${a.prefixlen}`)).toContain('10.61.1.2/24');
    expect(hostile?.routes.some((r) => r.dst === 'fd00:61::/64')).toBe(true);
    const podA = ns('pod-a');
    expect(podA?.neighbors.find((n) => n.dst === '10.61.0.9')?.lladdr).toBe('02:00:00:00:00:09');
    expect(podA?.qdiscs.map((q) => q.kind)).toContain('clsact');
    expect(podA?.tcFilters.map((f) => `${f.dev} ${f.hook} ${f.kind}`)).toEqual(['eth0 ingress u32']);
    expect(podA?.sysctls).toMatchObject({ 'net.ipv4.conf.eth0.7.rp_filter': '2', 'net.ipv4.conf.eth0.rp_filter': '0', 'net.ipv4.ip_forward': '1' });
    // Every key the sysctl listing printed, with its value, and no other, from the ip batch of the script and of the runner.
    const sysctls = (capture: HostCapture) => parseHost(capture).namespaces.map((n) => [n.netns, n.sysctls]);
    expect(sysctls(batched)).toEqual(sysctls(single));
    expect(sysctls(runner).filter(([name]) => name !== GONE)).toEqual(sysctls(single).filter(([name]) => name !== GONE));
    expect(Object.keys(podA?.sysctls ?? {}).length).toBeGreaterThan(4);

    // The device that went away: its filters failed one by one, the rest of its namespace was read.
    const gone = batched.namespaces.find((n) => n.netns === GONE);
    const filters = gone?.commands.filter((c) => c.id === 'tc-filter' && c.params?.dev === 'dummy0') ?? [];
    expect(filters.map((c) => [c.params?.hook, c.status])).toEqual([
      ['ingress', 'error'],
      ['egress', 'error'],
    ]);
    expect(filters[0].stderr).toMatch(/dummy0/);
    expect(gone?.commands.find((c) => c.id === 'ip-addr')?.status).toBe('ok');
    // The namespace nothing can enter: every command failed on its own, with its own message.
    const broken = batched.namespaces.find((n) => n.netns === BROKEN);
    expect(broken?.commands.find((c) => c.id === 'ip-link')).toMatchObject({ status: 'error', stdout: '' });
    expect(broken?.commands.find((c) => c.id === 'ip-link')?.stderr).not.toBe('');
    expect(batched.status).toBe('partial');
  });

  it('prints ip-neigh, ip6-route, ip-netconf and netns-list-id from the one ip batch byte for byte as their declared argv does', async () => {
    // The script reads `ip -j -s neigh show`, `ip -j netconf show` and `ip -j netns list-id` in the `-j -d -s -s`
    // batch, and `ip -j -d -s -s -6 route show table all` as `route show table all root ::/0` in it. The neighbours'
    // timers move between two reads.
    const timers = (text: string | undefined) => text?.replace(/"(used|confirmed|updated)":\d+/g, '"$1":0');
    const spaces = batched.namespaces.filter((n) => n.netns !== BROKEN && n.netns !== GONE);
    expect(spaces.length).toBeGreaterThan(2);
    for (const space of spaces) {
      const record = (id: string) => space.commands.find((c) => c.id === id);
      const direct = async (id: string) => onHost(host, record(id)?.argv ?? [], space.netns ?? undefined);
      for (const id of ['ip6-route', 'ip-netconf', 'netns-list-id']) {
        expect(record(id)?.status, `${space.netns ?? 'root'} ${id}`).toBe('ok');
        expect(record(id)?.stdout, `${space.netns ?? 'root'} ${id}`).toBe(await direct(id));
      }
      expect(timers(record('ip-neigh')?.stdout), space.netns ?? 'root').toBe(timers(await direct('ip-neigh')));
    }
    const podA = spaces.find((n) => n.netns === 'pod-a')?.commands;
    expect(podA?.find((c) => c.id === 'ip-neigh')?.argv).toEqual(['ip', '-j', '-s', 'neigh', 'show']);
    expect(podA?.find((c) => c.id === 'ip-netconf')?.argv).toEqual(['ip', '-j', 'netconf', 'show']);
    expect(podA?.find((c) => c.id === 'netns-list-id')?.argv).toEqual(['ip', '-j', 'netns', 'list-id']);
    expect(podA?.find((c) => c.id === 'ip-neigh')?.stdout).toContain('"lladdr":"02:00:00:00:00:09"');
    // The hostile pod's IPv6 route came through the root ::/0 line.
    expect(spaces.find((n) => n.netns === HOSTILE)?.commands.find((c) => c.id === 'ip6-route')?.stdout).toContain('"dst":"fd00:61::/64"');
  });

  it('runs one ip in each pod namespace: a batch that holds all its ip listings', async () => {
    const pods = ['pod-a', HOSTILE, GONE];
    for (const pod of pods) {
      const inode = (await onHost(host, ['readlink', '/proc/self/ns/net'], pod)).trim();
      const runs = ipBatches.filter((line) => line.startsWith(`${inode} `));
      expect(
        runs.map((line) => line.slice(inode.length + 1).replace(/ \S+$/, '')),
        pod,
      ).toEqual(['-j -d -s -s -force -batch']);
    }
    // Every listing the pods recorded of ip came from that batch.
    const ipIds = new Set(batched.namespaces.filter((n) => n.netns === 'pod-a').flatMap((n) => n.commands.filter((c) => c.argv[0] === 'ip').map((c) => c.id)));
    expect([...ipIds].sort()).toEqual(['ip-addr', 'ip-link', 'ip-neigh', 'ip-netconf', 'ip-route', 'ip-rule', 'ip6-route', 'netns-list-id']);
  });

  it('prints every batched listing as `ip netns exec NS` and its declared argv print it, though the batches run inside the namespace without -n', async () => {
    // A namespace's batches run in its group shell, entered once with nsenter --net, not as `TOOL -n NS`. Counters and
    // neighbour timers move between two reads.
    const moving = /"(bytes|packets|errors|dropped|over_errors|multicast|carrier_changes|carrier_up_count|carrier_down_count|nohandler|used|confirmed|updated)":\d+/g;
    const still = (text: string | undefined) => text?.replace(moving, '"$1":0');
    const spaces = batched.namespaces.filter((n) => n.netns !== BROKEN && n.netns !== GONE);
    const ids = ['ip-link', 'ip-addr', 'ip-route', 'ip-rule', 'ip-netconf', 'netns-list-id', 'tc-qdisc', 'bridge-fdb', 'tc-filter'];
    let compared = 0;
    for (const space of spaces) {
      for (const record of space.commands.filter((c) => ids.includes(c.id) && c.status === 'ok')) {
        expect(still(record.stdout), `${space.netns ?? 'root'} ${record.argv.join(' ')}`).toBe(still(await onHost(host, record.argv, space.netns ?? undefined)));
        compared++;
      }
    }
    // Every listing of the root, pod-a and the hostile namespace, and pod-a's two tc filter hooks.
    expect(compared).toBeGreaterThanOrEqual(3 * 8 + 2);
  });

  it('records a tool the host lacks in every namespace under its own name, and reads the rest as before', async () => {
    // Every namespace's commands are planned once for all of them, unless one runs on its own: a missing tool does.
    // bpftool is hidden by a file that cannot run, mounted over it in a mount namespace of this run's own.
    const hidden = path.join(scratch, 'not-a-tool');
    writeFileSync(hidden, '', { mode: 0o644 });
    const run = `mount --bind '${hidden}' "$(command -v bpftool)" && exec sh '${SCRIPT}' --role worker`;
    const result = await runOnHost(host, ['unshare', '-m', '--propagation', 'private', 'sh', '-c', run], { timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    const lacking = parseCollectorOutput(result.stdout).hosts[0];
    expect(lacking.namespaces.map((n) => n.netns ?? '-').sort()).toEqual(['-', 'pod-a', HOSTILE, GONE, BROKEN].sort());
    for (const space of lacking.namespaces) {
      expect(
        space.commands.find((c) => c.id === 'bpftool-net'),
        space.netns ?? 'root',
      ).toMatchObject({ status: 'missing-tool' });
    }
    // This run's PATH has no racing tc: GONE's device stays, and its filters read.
    const others = (capture: HostCapture) => records({ ...capture, namespaces: capture.namespaces.filter((n) => n.netns !== GONE) }).filter((r) => !/ bpftool-net /.test(r));
    expect(others(lacking)).toEqual(others(batched));
  });

  it("reads the same with `collect --source local`'s runner, which runs the script through a Runner", () => {
    const script = single;
    // The runner runs with the host's own PATH, without the racing tc: its GONE device stays in place.
    const settled = (capture: HostCapture): HostCapture => ({ ...capture, namespaces: capture.namespaces.filter((n) => n.netns !== GONE) });
    const outcome = (capture: HostCapture) => records(settled(capture)).map((r) => r.replace(/ (?:-?\d+|null) (?=\S+ )/, ' '));
    expect(outcome(runner)).toEqual(outcome(script));
    const state = (capture: HostCapture) => {
      const parsed = sysctlsAsOne(parseHost(settled(capture)));
      return steady({ ...parsed, problems: parsed.problems.map((p) => p.command).sort() });
    };
    expect(state(runner)).toEqual(state(script));
  });
});
