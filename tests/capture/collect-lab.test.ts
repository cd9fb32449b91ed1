// Runs against real kernel namespaces created here (names start with tscap-); needs root and iproute2.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, type CatalogEntry } from '@/lib/capture/catalog';
import { collectHost, collectHosts } from '@/lib/capture/collect/collect';
import { parseBundle, serializeBundle } from '@/lib/capture/bundle/bundle';
import { parseCollectorOutput } from '@/lib/capture/collect/collector-output';
import { importFiles } from '@/lib/capture/import';
import { LocalRunner, PrefixRunner } from '@/lib/capture/collect/runner';
import { parseTranscript } from '@/lib/capture/paste/transcript';
import type { CommandRecord, HostCapture } from '@/lib/capture/types';

const A = `tscap-${process.pid}-a`;
const B = `tscap-${process.pid}-b`;
const SCRIPT = path.resolve(__dirname, '../../public/tunnelscope-collect.sh');
const local = new LocalRunner();
const inA = new PrefixRunner(['nsenter', `--net=/run/netns/${A}`, '--'], local);
const onlyB = (name: string) => name === B;

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

describe('collectHost on real namespaces', () => {
  let host: HostCapture;
  beforeAll(async () => {
    host = await collectHost(inA, { role: 'worker', includeNetns: onlyB });
  });

  it('records every root-namespace command with its argv and verbatim JSON output', () => {
    const link = record(host, null, 'ip-link');
    expect(link?.argv).toEqual(['ip', '-j', '-d', '-s', '-s', 'link', 'show']);
    expect(link?.status).toBe('ok');
    expect(link?.exitCode).toBe(0);
    const names = (JSON.parse(link?.stdout ?? '[]') as { ifname: string }[]).map((l) => l.ifname);
    expect(names).toEqual(expect.arrayContaining(['lo', 'va0', 'vx0']));
    expect(JSON.parse(record(host, null, 'ip-addr')?.stdout ?? '')).toEqual(expect.arrayContaining([expect.objectContaining({ ifname: 'va0' })]));
    expect(host.name).toBe(os.hostname());
    expect(host.role).toBe('worker');
  });

  it('runs tc filters only for hooks a qdisc can hold (clsact: both, ingress: ingress), and sees the mirred redirect', () => {
    const filters = host.namespaces.find((n) => n.netns === null)?.commands.filter((c) => c.id === 'tc-filter') ?? [];
    expect(filters.map((f) => `${f.params?.dev}/${f.params?.hook}`).sort()).toEqual(['va0/egress', 'va0/ingress', 'vx0/ingress']);
    const ingress = record(host, null, 'tc-filter', { dev: 'va0', hook: 'ingress' });
    expect(ingress?.argv).toEqual(['tc', '-j', 'filter', 'show', 'dev', 'va0', 'ingress']);
    expect(ingress?.stdout).toContain('"to_dev":"vx0"');
  });

  it('collects the named namespace it was told to and no other', () => {
    expect(host.namespaces.map((n) => n.netns)).toEqual([null, B]);
    const bLink = record(host, B, 'ip-link');
    expect(bLink?.stdout).toContain('"ifname":"vb0"');
    expect(record(host, B, 'tc-qdisc')?.status).toBe('ok');
    expect(record(host, B, 'tc-filter')).toBeUndefined();
    expect(record(host, B, 'ovs-bridge')).toBeUndefined();
  });

  it('is complete when only optional tools (OVS, OVN, peer-pod config) fail', () => {
    expect(record(host, null, 'peerpod-config')?.status).toBe('error');
    expect(host.status).toBe('complete');
    expect(host.error).toBeUndefined();
  });

  it('records a tool that is not installed as missing-tool, through nsenter and through ip netns exec', async () => {
    const fake: CatalogEntry = {
      id: 'arp',
      tool: 'tscap-no-such-tool',
      format: 'text',
      scope: 'netns',
      argv: ['tscap-no-such-tool', '-n'],
      collect: true,
      summary: 'test',
    };
    const lean = CATALOG.filter((e) => ['hostname', 'netns-list', 'ip-link'].includes(e.id));
    const h = await collectHost(inA, { catalog: [...lean, fake], includeNetns: onlyB });
    expect(record(h, null, 'arp')?.status).toBe('missing-tool');
    expect(record(h, B, 'arp')?.status).toBe('missing-tool');
    expect(h.status).toBe('complete');
  });

  it('records a command that exceeds its timeout as timeout and marks the host partial', async () => {
    const slow: CatalogEntry = { id: 'conntrack-stats', tool: 'sleep', format: 'text', scope: 'host', argv: ['sleep', '5'], collect: true, summary: 'test' };
    const lean = CATALOG.filter((e) => ['hostname', 'ip-link'].includes(e.id));
    const started = Date.now();
    const h = await collectHost(inA, { catalog: [...lean, slow], commandTimeoutMs: 1500 });
    expect(Date.now() - started).toBeLessThan(4500);
    expect(record(h, null, 'conntrack-stats')?.status).toBe('timeout');
    expect(record(h, null, 'ip-link')?.status).toBe('ok');
    expect(h.status).toBe('partial');
  });

  it('marks a host whose namespace does not exist as failed with the reason, and the bundle keeps the good host', async () => {
    const gone = new PrefixRunner(['nsenter', '--net=/run/netns/tscap-does-not-exist', '--'], local);
    const lean = CATALOG.filter((e) => ['hostname', 'ip-link', 'netns-list'].includes(e.id));
    const bundle = await collectHosts(
      [
        { name: 'good', role: 'worker', runner: inA },
        { name: 'gone', role: 'podvm', runner: gone },
      ],
      { catalog: lean, includeNetns: onlyB },
    );
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
    const direct = await inA.run(['ip', '-j', 'addr', 'show']);
    expect(record(host, null, 'ip-addr')?.stdout).toBe(direct.stdout);
    const tc = record(host, null, 'tc-filter', { dev: 'va0', hook: 'ingress' });
    expect(tc?.argv).toEqual(['tc', '-j', 'filter', 'show', 'dev', 'va0', 'ingress']);
    expect(tc?.stdout).toBe((await inA.run(['tc', '-j', 'filter', 'show', 'dev', 'va0', 'ingress'])).stdout);
    const hooks = host.namespaces
      .flatMap((n) => n.commands)
      .filter((c) => c.id === 'tc-filter')
      .map((c) => `${c.params?.dev}/${c.params?.hook}`);
    expect(hooks.sort()).toEqual(['va0/egress', 'va0/ingress', 'vx0/ingress']);
    const directB = await inA.run(['ip', 'netns', 'exec', B, 'ip', '-j', 'route', 'show', 'table', 'all']);
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
