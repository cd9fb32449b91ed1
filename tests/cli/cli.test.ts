import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '@/cli/main';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { fixedIncidentBundle, incidentBundle, tunnelSentMoreBundle } from '../helpers/incident-sample';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tunnelscope CLI', () => {
  it('diagnose prints the MAC mismatch grouped under CRITICAL with evidence and the fix', async () => {
    const { code, out } = await run('diagnose', SAMPLE_BUNDLE_PATH);
    expect(code).toBe(0);
    expect(out).toMatch(/^CRITICAL \(1\)/m);
    expect(out).toContain('[peerpod-podvm-mac-mismatch]');
    expect(out).toContain('ip netns exec podns ip link set dev vxlan0 address 0a:58:0a:84:02:2e');
    expect(out).toContain('evidence: podvm-nginx-priv-8b726648 netns podns');
    expect(out).toMatch(/neighbour entry for 10\.132\.2\.46 confirms 0a:58:0a:84:02:2e; vxlan0 has already dropped \d+ frame\(s\) as otherhost/);
  });

  it('diagnose --json prints { findings: [{ rule, severity, title, elements, fix }] }', async () => {
    const { code, out } = await run('diagnose', SAMPLE_BUNDLE_PATH, '--json');
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { findings: Array<Record<string, unknown>>; uncovered: unknown[] };
    expect(parsed.findings).toHaveLength(1);
    const [finding] = parsed.findings;
    for (const key of ['rule', 'severity', 'title', 'elements', 'fix']) expect(finding).toHaveProperty(key);
    expect(finding.elements).toContain('host:podvm-nginx-priv-8b726648/ns:podns/if:vxlan0');
    expect(parsed.uncovered.length).toBeGreaterThan(0);
  });

  it('topology prints a tree with the pod VM namespace and the tunnel between the hosts', async () => {
    const { code, out } = await run('topology', SAMPLE_BUNDLE_PATH);
    expect(code).toBe(0);
    expect(out).toMatch(/^host podvm-nginx-priv-8b726648/m);
    expect(out).toMatch(/^ {2}netns podns/m);
    expect(out).toMatch(/vxlan0 \(vxlan\) 7e:e5:f7:e6:f5:1a/);
    expect(out).toMatch(/tunnel: .*vxlan1 -- .*vxlan0 \(VNI 555005/);
  });

  it('trace names the broken hop and the finding that explains it', async () => {
    const { code, out } = await run('trace', SAMPLE_BUNDLE_PATH, '--from', 'ocp-412-ovn-worker-1', '--to', '10.132.2.46');
    expect(code).toBe(0);
    expect(out).toMatch(/BROKEN/);
    expect(out).toMatch(/✗ .*vxlan0/);
    expect(out).toContain('explained by [peerpod-podvm-mac-mismatch]');
  });

  it('import turns a pasted transcript into a bundle that diagnose reads', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-cli-'));
    try {
      const paste = path.join(dir, 'paste.txt');
      writeFileSync(
        paste,
        [
          '[root@node-a ~]# ip -d link show',
          '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
          '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0',
          '2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000',
          '    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff promiscuity 0',
          '[root@node-a ~]# ',
        ].join('\n'),
      );
      const out = path.join(dir, 'bundle.json');
      expect((await run('import', paste, '-o', out)).code).toBe(0);
      const bundle = JSON.parse(readFileSync(out, 'utf8')) as { hosts: Array<{ name: string }> };
      expect(bundle.hosts.map((h) => h.name)).toEqual(['node-a']);
      const topo = await run('topology', out);
      expect(topo.out).toMatch(/ens3 \(device\) 52:54:00:12:34:56 mtu 1500 up/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('diff names resolved findings and, from the earlier capture to the later, a tunnel whose packets never arrive', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-cli-'));
    try {
      const write = (name: string, bundle: ReturnType<typeof incidentBundle>, createdAt: string): string => {
        const file = path.join(dir, name);
        writeFileSync(file, JSON.stringify({ ...bundle, createdAt }));
        return file;
      };
      const first = write('first.json', incidentBundle(), '2026-03-02T09:14:07.000Z');
      const minuteLater = write('later.json', tunnelSentMoreBundle(12), '2026-03-02T09:15:07.000Z');
      for (const argv of [
        [first, minuteLater],
        [minuteLater, first],
      ]) {
        const { code, out } = await run('diff', ...argv);
        expect(code).toBe(0);
        expect(out).toContain(`${first} → ${minuteLater} (60 s apart)`);
        expect(out).toMatch(/Between the captures:\nCRITICAL \(1\)\n {2}\[tunnel-traffic-one-way\] Tunnel vxlan1 → vxlan0: 12 packet\(s\) sent, none received/);
      }
      const fixed = write('fixed.json', fixedIncidentBundle(), '2026-03-02T09:20:00.000Z');
      const json = await run('diff', first, fixed, '--json');
      const parsed = JSON.parse(json.out) as { resolved: { rule: string }[]; new: unknown[]; between: unknown[] };
      expect([parsed.resolved.map((f) => f.rule), parsed.new, parsed.between]).toEqual([['peerpod-podvm-mac-mismatch'], [], []]);
      const one = await run('diff', first);
      expect([one.code, one.err]).toEqual([2, 'tunnelscope: error: diff needs two input files: BEFORE AFTER']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as an executable, with the young-generation size the benchmark measures with', () => {
    const shebang = readFileSync('bin/tunnelscope.mjs', 'utf8').split('\n')[0];
    const flags = shebang.match(/--(?:min|max)-semi-space-size=\d+/g) ?? [];
    expect(flags).toHaveLength(2);
    const bench = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.bench;
    for (const flag of flags) expect(bench.split(' ')).toContain(flag);
    const result = spawnSync('./bin/tunnelscope.mjs', ['--help'], { encoding: 'utf8' });
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/^tunnelscope — /);
  });

  it('ends quietly when its reader closes the pipe early (| head)', () => {
    // The printed bundle is larger than a pipe holds, so the command is still writing when head has gone.
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', '"$0" import "$1" | head -c 10 >/dev/null', path.resolve('bin/tunnelscope.mjs'), path.resolve(SAMPLE_BUNDLE_PATH)], {
      encoding: 'utf8',
    });
    expect(statSync(SAMPLE_BUNDLE_PATH).size).toBeGreaterThan(65536);
    expect([result.status, result.stderr]).toEqual([0, '']);
  });

  it('runs from any working directory, not only from the checkout', () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'tunnelscope-cwd-'));
    try {
      const env = { ...process.env };
      delete env.TSX_TSCONFIG_PATH;
      const result = spawnSync(path.resolve('bin/tunnelscope.mjs'), ['diagnose', path.resolve(SAMPLE_BUNDLE_PATH)], { cwd: elsewhere, env, encoding: 'utf8' });
      expect([result.status, result.stderr]).toEqual([0, '']);
      expect(result.stdout).toContain('[peerpod-podvm-mac-mismatch]');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('fails with one clear line and a non-zero exit on a missing file, an unknown command or a missing option', async () => {
    for (const argv of [['diagnose', '/nonexistent/file.json'], ['frobnicate'], ['trace', SAMPLE_BUNDLE_PATH, '--to', '10.0.0.1'], ['collect', '--source', 'mars']]) {
      const { code, err } = await run(...argv);
      expect(code).not.toBe(0);
      expect(err.split('\n')).toHaveLength(1);
      expect(err).toMatch(/^tunnelscope: error: \S/);
    }
  });

  it('snapshot stores the capture and prints an incident link with an unguessable id', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-cli-store-'));
    const saved = { data: process.env.TUNNELSCOPE_DATA_DIR, db: process.env.DATABASE_URL };
    process.env.TUNNELSCOPE_DATA_DIR = dir;
    delete process.env.DATABASE_URL;
    try {
      const { code, out } = await run('snapshot', SAMPLE_BUNDLE_PATH, '--title', 'incident 42');
      expect(code).toBe(0);
      expect(out).toMatch(/^http:\/\/localhost:\d+\/s\/[A-Za-z0-9_-]{22,}$/);
    } finally {
      if (saved.data === undefined) delete process.env.TUNNELSCOPE_DATA_DIR;
      else process.env.TUNNELSCOPE_DATA_DIR = saved.data;
      if (saved.db !== undefined) process.env.DATABASE_URL = saved.db;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lab up without the tools on PATH names what is missing and how to install it, and changes nothing', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'tunnelscope-nopath-'));
    const labNamespaces = () =>
      spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => l.startsWith('tsl-'))
        .sort();
    const before = labNamespaces();
    try {
      const result = spawnSync(process.execPath, ['bin/tunnelscope.mjs', 'lab', 'up'], {
        env: { PATH: empty, HOME: tmpdir(), NODE_ENV: 'test' },
        encoding: 'utf8',
      });
      expect(result.status).not.toBe(0);
      const message = `${result.stdout}${result.stderr}`;
      expect(message).toMatch(/ovsdb-server/);
      expect(message).toMatch(/apt-get install -y [^\n]*openvswitch-switch/);
      expect(message).toMatch(/ovn-central/);
      expect(labNamespaces()).toEqual(before);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('collect --source kube, SSH to pod VMs', () => {
  it('refuses SSH options that cannot work, one line each, before reaching a cluster', async () => {
    const both = await run('collect', '--source', 'kube', '--pod-vms', '--pod-vm-ssh-key', 'k', '--pod-vm-ssh-secret', 'ns/s');
    const noVms = await run('collect', '--source', 'kube', '--pod-vm-ssh-key', 'k');
    const port = await run('collect', '--source', 'kube', '--pod-vms', '--pod-vm-ssh-key', 'k', '--pod-vm-ssh-port', '22x');
    expect([both, noVms, port].map((r) => [r.code, r.err.trim()])).toEqual([
      [2, 'tunnelscope: error: give --pod-vm-ssh-key or --pod-vm-ssh-secret, not both'],
      [2, 'tunnelscope: error: SSH to pod VMs needs --pod-vms'],
      [2, 'tunnelscope: error: --pod-vm-ssh-port needs a positive whole number, not "22x"'],
    ]);
  });

  it('takes known_hosts from a file or a ConfigMap, not both, and never beside skipping the check', async () => {
    const ssh = ['collect', '--source', 'kube', '--pod-vms', '--pod-vm-ssh-secret', 'tunnelscope/key'];
    const twice = await run(...ssh, '--pod-vm-known-hosts', 'kh', '--pod-vm-known-hosts-configmap', 'tunnelscope/kh');
    const skipped = await run(...ssh, '--pod-vm-known-hosts-configmap', 'tunnelscope/kh', '--pod-vm-ssh-no-host-key-check');
    const badName = await run(...ssh, '--pod-vm-known-hosts-configmap', 'Tunnelscope/kh');
    const badSecret = await run('collect', '--source', 'kube', '--pod-vms', '--pod-vm-ssh-secret', 'key');
    const rule = (kind: string) => `names a ${kind} as NAMESPACE/NAME: lowercase letters, digits and '-' (the name may also hold '.')`;
    expect([twice, skipped, badName, badSecret].map((r) => [r.code, r.err.trim()])).toEqual([
      [2, 'tunnelscope: error: give --pod-vm-known-hosts or --pod-vm-known-hosts-configmap, not both'],
      [2, 'tunnelscope: error: give known_hosts or --pod-vm-ssh-no-host-key-check, not both'],
      [2, `tunnelscope: error: --pod-vm-known-hosts-configmap ${rule('ConfigMap')}, not "Tunnelscope/kh"`],
      [2, `tunnelscope: error: --pod-vm-ssh-secret ${rule('Secret')}, not "key"`],
    ]);
  });
});
