// Runs against real kernel namespaces created here (names start with tscap-); needs root and iproute2.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBundle, serializeBundle } from '@/lib/capture/bundle/bundle';
import { parseCollectorOutput } from '@/lib/capture/collect/collector-output';
import { importFiles } from '@/lib/capture/import';
import { LocalRunner, PrefixRunner, type Runner } from '@/lib/capture/collect/runner';
import { collectWithScript, type ScriptRunOptions } from '@/lib/capture/collect/script-host';
import { parseTranscript } from '@/lib/capture/paste/transcript';
import type { CommandRecord, HostCapture } from '@/lib/capture/types';
import { COLLECTOR_SCRIPT, collectHostsWithScript } from '../helpers/collect-script';

const A = `tscap-${process.pid}-a`;
const B = `tscap-${process.pid}-b`;
const SCRIPT = path.resolve(__dirname, '../../public/tunnelscope-collect.sh');
const local = new LocalRunner();
const inA = new PrefixRunner(['nsenter', `--net=/run/netns/${A}`, '--'], local);

function sh(argv: string[]): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
}

function record(host: HostCapture, netns: string | null, id: string, params?: Record<string, string>): CommandRecord | undefined {
  const ns = host.namespaces.find((n) => n.netns === netns);
  return ns?.commands.find((c) => c.id === id && (!params || Object.entries(params).every(([k, v]) => c.params?.[k] === v)));
}

beforeAll(() => {
  for (const ns of [A, B]) {
    sh(['ip', 'netns', 'add', ns]);
    // No duplicate address detection: IPv6 addresses would flip from "tentative" between two reads.
    sh(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);
  }
  sh(['ip', '-n', A, 'link', 'add', 'va0', 'type', 'veth', 'peer', 'name', 'vb0', 'netns', B]);
  sh(['ip', '-n', A, 'addr', 'add', '10.77.0.1/24', 'dev', 'va0']);
  sh(['ip', '-n', A, 'link', 'set', 'va0', 'up']);
  sh(['ip', '-n', B, 'addr', 'add', '10.77.0.2/24', 'dev', 'vb0']);
  sh(['ip', '-n', B, 'link', 'set', 'vb0', 'up']);
  sh(['ip', '-n', A, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'remote', '10.77.0.2', 'local', '10.77.0.1', 'dstport', '4789', 'dev', 'va0']);
  sh(['ip', '-n', A, 'link', 'set', 'vx0', 'up']);
  sh(['tc', '-n', A, 'qdisc', 'add', 'dev', 'va0', 'clsact']);
  sh(['tc', '-n', A, 'filter', 'add', 'dev', 'va0', 'ingress', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', 'vx0']);
  sh(['tc', '-n', A, 'qdisc', 'add', 'dev', 'vx0', 'ingress']);
});

afterAll(() => {
  for (const ns of [A, B]) {
    try {
      sh(['ip', 'netns', 'del', ns]);
    } catch {
      // already gone
    }
  }
});

/** Runs the collector once in A, as `collect --source local` does on a host; the options go to the script. */
function collect(runner: Runner, scriptArgs: readonly string[], opts: Omit<ScriptRunOptions, 'scriptArgs'> = {}): Promise<HostCapture> {
  return collectWithScript(runner, COLLECTOR_SCRIPT, { ...opts, scriptArgs });
}

/** A runner in A whose PATH starts with `dir`: its stand-in tools come before the host's. */
function withPath(dir: string): Runner {
  return new PrefixRunner(['nsenter', `--net=/run/netns/${A}`, '--', 'env', `PATH=${dir}:${process.env.PATH ?? ''}`], local);
}

/** A runner in A inside a mount namespace of its own, where `setup` (sh) runs first. */
function privately(setup: string): Runner {
  return new PrefixRunner(['nsenter', `--net=/run/netns/${A}`, '--', 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', `${setup} && exec "$@"`, 'sh'], local);
}

/**
 * sh that leaves `tools` out of `dir` in a mount namespace of the run's own: `dir` becomes an empty tmpfs with a link
 * to each of its other programs, kept reachable at `real`. The tools are then not installed at all, as on a host.
 */
function hiding(dir: string, real: string, tools: readonly string[]): string {
  const link = `ln=$(command -v ln) && case $ln in ${dir}/*) ln=${real}/\${ln##*/} ;; esac`;
  return `${link} && mount --bind ${dir} ${real} && mount -t tmpfs tmpfs ${dir} && for f in ${real}/*; do case \${f##*/} in ${tools.join('|')}) ;; *) "$ln" -s "$f" ${dir}/ ;; esac; done`;
}

function standIn(dir: string, name: string, body: string): void {
  writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

describe('the collector script through a runner, on real namespaces', () => {
  let host: HostCapture;
  let scratch: string;
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'tscap-run-'));
    host = await collect(inA, ['--netns', B], { role: 'worker' });
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('records every root-namespace command with its argv and verbatim JSON output', async () => {
    const link = record(host, null, 'ip-link');
    expect(link?.argv).toEqual(['ip', '-j', '-d', '-s', '-s', 'link', 'show']);
    expect(link?.status).toBe('ok');
    expect(link?.exitCode).toBe(0);
    const names = (JSON.parse(link?.stdout ?? '[]') as { ifname: string }[]).map((l) => l.ifname);
    expect(names).toEqual(expect.arrayContaining(['lo', 'va0', 'vx0']));
    // Addresses are read in the namespace's one ip batch, with its options: the record names the command that prints them.
    const addr = record(host, null, 'ip-addr');
    expect(addr?.argv).toEqual(['ip', '-j', '-d', '-s', '-s', 'addr', 'show']);
    const moving = /"(bytes|packets|errors|dropped|over_errors|multicast|carrier_changes|carrier_up_count|carrier_down_count|nohandler)":\d+/g;
    expect(addr?.stdout.replace(moving, '"$1":0')).toBe((await inA.run(addr?.argv ?? [])).stdout.replace(moving, '"$1":0'));
    expect(host.name).toBe(os.hostname());
    expect(host.role).toBe('worker');
  });

  it('names the host and takes the role the caller gives, else the ones the host prints', async () => {
    const named = await collect(inA, ['--no-netns'], { name: 'given' });
    expect([named.name, named.role]).toEqual(['given', 'unknown']);
    expect(host.name).toBe(os.hostname());
  });

  it('runs tc filters only for hooks a qdisc can hold (clsact: both, ingress: ingress), and sees the mirred redirect', () => {
    const filters = host.namespaces.find((n) => n.netns === null)?.commands.filter((c) => c.id === 'tc-filter') ?? [];
    expect(filters.map((f) => `${f.params?.dev}/${f.params?.hook}`).sort()).toEqual(['va0/egress', 'va0/ingress', 'vx0/ingress']);
    const ingress = record(host, null, 'tc-filter', { dev: 'va0', hook: 'ingress' });
    expect(ingress?.argv).toEqual(['tc', '-j', 'filter', 'show', 'dev', 'va0', 'ingress']);
    expect(ingress?.stdout).toContain('"to_dev":"vx0"');
  });

  it('runs tc filters for every device and hook when the qdiscs cannot be listed', async () => {
    const bin = mkdtempSync(path.join(scratch, 'tc-'));
    // Any read of qdiscs fails, alone or in a batch; every other tc command is the host's.
    standIn(
      bin,
      'tc',
      `for a in "$@"; do prev=$last; last=$a; [ "$a" = qdisc ] && q=1; done
if [ "$prev" = -batch ]; then
  f=$last
  [ "$f" = - ] && { f=$(mktemp -p '${bin}'); cat >"$f"; exec <"$f"; }
  grep -q '^qdisc' "$f" && q=1
fi
[ -n "$q" ] && { echo 'RTNETLINK answers: Operation not permitted' >&2; exit 2; }
exec ${sh(['sh', '-c', 'command -v tc']).trim()} "$@"`,
    );
    const h = await collect(withPath(bin), ['--netns', B]);
    expect(record(h, B, 'tc-qdisc')?.status).toBe('error');
    const hooks = h.namespaces.find((n) => n.netns === B)?.commands.filter((c) => c.id === 'tc-filter') ?? [];
    expect(hooks.map((f) => `${f.params?.dev}/${f.params?.hook}`).sort()).toEqual(['lo/egress', 'lo/ingress', 'vb0/egress', 'vb0/ingress']);
  });

  it('collects the named namespace it was told to and no other', () => {
    expect(host.namespaces.map((n) => n.netns)).toEqual([null, B]);
    const bLink = record(host, B, 'ip-link');
    expect(bLink?.stdout).toContain('"ifname":"vb0"');
    expect(record(host, B, 'tc-qdisc')?.status).toBe('ok');
    expect(record(host, B, 'tc-filter')).toBeUndefined();
    expect(record(host, B, 'ovs-bridge')).toBeUndefined();
  });

  it('reads every iptables table of a named namespace with one iptables-save, and the root namespace table by table', () => {
    const ids = (netns: string | null) => (host.namespaces.find((n) => n.netns === netns)?.commands ?? []).filter((c) => c.argv[0] === 'iptables-save').map((c) => [c.id, c.argv.join(' '), c.status]);
    expect(ids(null)).toEqual([
      ['iptables-raw', 'iptables-save -t raw', 'ok'],
      ['iptables-filter', 'iptables-save -t filter', 'ok'],
    ]);
    expect(ids(B)).toEqual([['iptables-tables', 'iptables-save', 'ok']]);
  });

  it('starts at most seven processes per named namespace, one of them iptables-save (strace -f of a run with one namespace and with two)', () => {
    const C = `tscap-${process.pid}-c`;
    sh(['ip', 'netns', 'add', C]);
    try {
      // No --timeout: the watchdog's sleeps would add processes by the second.
      const traced = (names: readonly string[]) => {
        const out = path.join(scratch, `strace-${names.length}.txt`);
        const netns = names.flatMap((n) => ['--netns', n]);
        execFileSync('nsenter', [`--net=/run/netns/${A}`, '--', 'strace', '-f', '-e', 'trace=process', '-o', out, 'sh', SCRIPT, '--timeout', '0', ...netns], { stdio: 'ignore' });
        const lines = readFileSync(out, 'utf8')
          .split('\n')
          .filter((l) => l !== '');
        // By process: strace prints a call another process interrupts in two parts, and a PATH search tries several paths.
        const saves = new Map(
          lines.flatMap((l) => {
            const m = /^(\d+) +execve\("[^"]*\/iptables-save", \[([^\]]*)\]/.exec(l);
            return m ? [[m[1], m[2].replace(/"/g, '').replace(/, /g, ' ')] as const] : [];
          }),
        );
        return { processes: new Set(lines.map((l) => l.split(' ')[0])).size, saves: [...saves.values()].sort() };
      };
      const one = traced([B]);
      const two = traced([B, C]);
      expect(one.saves).toEqual(['iptables-save', 'iptables-save -t filter', 'iptables-save -t raw']);
      expect(two.saves).toEqual(['iptables-save', 'iptables-save', 'iptables-save -t filter', 'iptables-save -t raw']);
      expect(two.processes - one.processes).toBeGreaterThan(0);
      expect(two.processes - one.processes).toBeLessThanOrEqual(7);
    } finally {
      sh(['ip', 'netns', 'del', C]);
    }
  });

  it('records ip_forward and rp_filter as the declared `ip -j netconf show` of the ip batch (no sysctl listing), and reads no /proc fallback where ip is present', () => {
    // The sysctl listing runs only where no batch can hold netconf (tests/capture/collector-group-parts.test.ts).
    const netconf = record(host, B, 'ip-netconf');
    expect(netconf?.argv).toEqual(['ip', '-j', 'netconf', 'show']);
    expect(netconf?.status).toBe('ok');
    expect(netconf?.stdout).toMatch(/"interface":"all","forwarding":(true|false),"rp_filter":"(off|strict|loose)"/);
    expect(record(host, B, 'sysctl')).toBeUndefined();
    const fallbacks = ['sys-class-net', 'proc-net-addr', 'proc-net-route', 'proc-net-ipv6-route', 'proc-net-arp'];
    expect(host.namespaces.flatMap((n) => n.commands).filter((c) => fallbacks.includes(c.id))).toEqual([]);
  });

  it('is complete when only optional tools (OVS, OVN, peer-pod config) fail', () => {
    expect(record(host, null, 'peerpod-config')?.status).toBe('error');
    expect(host.status).toBe('complete');
    expect(host.error).toBeUndefined();
  });

  it('records a tool that is not installed as missing-tool, in the root and a named namespace', async () => {
    // The tools are hidden in a mount namespace of the run's own: a device node where the program was is no program.
    const tools = ['bpftool', 'conntrack', 'iptables-save'];
    expect(tools.map((tool) => path.dirname(sh(['sh', '-c', `PATH="$PATH:/usr/sbin:/sbin"; command -v ${tool}`]).trim()))).toEqual(['/usr/sbin', '/usr/sbin', '/usr/sbin']);
    const h = await collect(privately(hiding('/usr/sbin', mkdtempSync(path.join(scratch, 'sbin-')), tools)), ['--netns', B]);
    expect(record(h, null, 'bpftool-net')?.status).toBe('missing-tool');
    expect(record(h, B, 'bpftool-net')?.status).toBe('missing-tool');
    expect(record(h, null, 'conntrack-stats')?.status).toBe('missing-tool');
    expect(['iptables-raw', 'iptables-filter'].map((id) => record(h, null, id)?.status)).toEqual(['missing-tool', 'missing-tool']);
    expect(record(h, B, 'iptables-tables')).toMatchObject({ status: 'missing-tool', argv: ['iptables-save'] });
    expect(h.status).toBe('complete');
  });

  it('enters named namespaces without nsenter, and skips names ip could read as an option or a path', async () => {
    const odd = 'ok ns;x';
    // /run/netns of the run's own: a real namespace with an odd name, and entries no namespace can have.
    const bin = path.dirname(sh(['sh', '-c', 'command -v nsenter']).trim());
    const hide = hiding(bin, mkdtempSync(path.join(scratch, 'bin-')), ['nsenter']);
    const setup = `mount -t tmpfs tmpfs /run/netns && touch /run/netns/-all /run/netns/-x && ip netns add '${odd}' && ${hide}`;
    const h = await collect(privately(setup), []);
    expect(h.namespaces.map((n) => n.netns)).toEqual([null, odd]);
    expect(record(h, odd, 'iptables-tables')?.status).toBe('ok');
    expect(record(h, odd, 'ip-link')?.stdout).toContain('"ifname":"lo"');
  });

  it('records a command that exceeds its timeout as timeout and marks the host partial', async () => {
    const bin = mkdtempSync(path.join(scratch, 'slow-'));
    standIn(bin, 'conntrack', 'exec sleep 60');
    const started = Date.now();
    const h = await collect(withPath(bin), ['--no-netns', '--timeout', '1']);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(record(h, null, 'conntrack-stats')?.status).toBe('timeout');
    expect(record(h, null, 'ip-link')?.status).toBe('ok');
    expect(h.status).toBe('partial');
  });

  it('marks a host whose namespace does not exist as failed with the reason, and the bundle keeps the good host', async () => {
    const gone = new PrefixRunner(['nsenter', '--net=/run/netns/tscap-does-not-exist', '--'], local);
    const bundle = await collectHostsWithScript([
      { name: 'good', role: 'worker', runner: inA, scriptArgs: ['--netns', B] },
      { name: 'gone', role: 'podvm', runner: gone },
    ]);
    expect(bundle.hosts.map((h) => [h.name, h.status])).toEqual([
      ['good', 'complete'],
      ['gone', 'failed'],
    ]);
    expect(bundle.hosts[1].error).toMatch(/tscap-does-not-exist/);
    expect(parseBundle(serializeBundle(bundle)).ok).toBe(true);
  });
});

describe('tunnelscope-collect.sh', () => {
  let output: string;
  let fakeBin: string;
  const trickyStdout = '[root@elsewhere ~]# ip a\n#ts:deadbeef end id=hostname\nlast line without newline';

  beforeAll(() => {
    fakeBin = mkdtempSync(path.join(os.tmpdir(), 'tscap-bin-'));
    // A stand-in bpftool whose output looks like prompts and markers, lacks a final newline, and fails.
    const fake = path.join(fakeBin, 'bpftool');
    writeFileSync(fake, `#!/bin/sh\nprintf '%s' '${trickyStdout}'\nprintf 'err one\\nerr two\\n' >&2\nexit 3\n`);
    chmodSync(fake, 0o755);
    output = execFileSync('nsenter', [`--net=/run/netns/${A}`, '--', 'sh', SCRIPT, '--netns', B], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH ?? ''}` },
    });
  });

  afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

  it('imports the script output with stdout equal to running the same commands directly', async () => {
    const { hosts, problems } = parseCollectorOutput(output);
    expect(problems).toEqual([]);
    expect(hosts).toHaveLength(1);
    const host = hosts[0];
    expect(host.name).toBe(os.hostname());
    expect(host.namespaces.map((n) => n.netns)).toEqual([null, B]);
    const rule = record(host, null, 'ip-rule');
    expect(rule?.stdout).toBe((await inA.run(rule?.argv ?? [])).stdout);
    const tc = record(host, null, 'tc-filter', { dev: 'va0', hook: 'ingress' });
    expect(tc?.argv).toEqual(['tc', '-j', 'filter', 'show', 'dev', 'va0', 'ingress']);
    expect(tc?.stdout).toBe((await inA.run(['tc', '-j', 'filter', 'show', 'dev', 'va0', 'ingress'])).stdout);
    const hooks = host.namespaces
      .flatMap((n) => n.commands)
      .filter((c) => c.id === 'tc-filter')
      .map((c) => `${c.params?.dev}/${c.params?.hook}`);
    expect(hooks.sort()).toEqual(['va0/egress', 'va0/ingress', 'vx0/ingress']);
    const directB = await inA.run(['ip', 'netns', 'exec', B, 'ip', '-j', '-d', '-s', '-s', 'route', 'show', 'table', 'all']);
    expect(record(host, B, 'ip-route')?.stdout).toBe(directB.stdout);
  });

  it('keeps stdout byte for byte, stderr, exit code and status of a failing command', () => {
    const bpf = record(parseCollectorOutput(output).hosts[0], null, 'bpftool-net');
    expect(bpf?.stdout).toBe(trickyStdout);
    expect(bpf?.stderr).toBe('err one\nerr two\n');
    expect(bpf?.exitCode).toBe(3);
    expect(bpf?.status).toBe('error');
  });

  it('round-trips through importFiles, serializeBundle and parseBundle without loss', () => {
    const { bundle, problems } = importFiles([{ name: 'node.tsc.txt', content: output }]);
    expect(problems).toEqual([]);
    expect(bundle.source.kind).toBe('upload');
    const again = parseBundle(serializeBundle(bundle));
    expect(again.ok && again.bundle).toEqual(bundle);
    expect(bundle.hosts[0]).toEqual(parseCollectorOutput(output).hosts[0]);
  });

  it('is also readable as a plain transcript when the header is lost', () => {
    const body = output.split('\n').slice(1).join('\n');
    const { hosts } = parseTranscript(body);
    // The stand-in bpftool prints a fake prompt of another host; everything before it belongs to this host.
    expect(hosts[0].name).toBe(os.hostname());
    const link = hosts[0].namespaces.find((n) => n.netns === B)?.commands.find((c) => c.id === 'ip-link');
    expect(link?.format).toBe('json');
    expect(link?.stdout).toContain('"ifname":"vb0"');
  });
});
