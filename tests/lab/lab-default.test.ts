import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { labDown, labHeal, labStatus, labUp, runOnHost, type LabHost } from '@/lib/lab';
import { runLabCli } from '@/lib/lab/cli';
import { ping } from '@/lib/lab/probe';
import { labDir } from '@/lib/lab/state';
import { REDACTED } from '@/lib/capture/redact';
import type { HostCapture } from '@/lib/capture/types';
import { parseHost } from '@/lib/parse';
import { captureFromSource } from '@/lib/sources';

const WORKER = 'ocp-412-ovn-worker-1';
const VM = 'podvm-nginx-priv-8b726648';
const POD_IP = '10.132.2.46';
const POD_MAC = '0a:58:0a:84:02:2e';
let hosts: LabHost[] = [];
const host = (name: string) => hosts.find((h) => h.name === name) as LabHost;
// Whether /run/mount existed before any lab: a lab left up by someone else created it itself.
let runMountExisted = existsSync('/run/mount');

async function vxlan0Mac(): Promise<string> {
  const out = await runOnHost(host(VM), ['ip', '-j', 'link', 'show', 'vxlan0'], { netns: 'podns' });
  return (JSON.parse(out.stdout) as { address: string }[])[0].address;
}

function leftovers(): { netns: string[]; daemons: string[]; nsfs: string[] } {
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('tsl-'));
  const daemons = execFileSync('ps', ['-e', '-o', 'comm='], { encoding: 'utf8' })
    .split('\n')
    .filter((c) => /^(ovs|ovn)/.test(c));
  // findmnt exits 1 when no nsfs mount exists at all
  const nsfs = spawnSync('findmnt', ['-rn', '-t', 'nsfs', '-o', 'TARGET'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((t) => t.includes('tsl-') || t.startsWith(labDir()));
  return { netns, daemons, nsfs };
}

/** The machine's own network state, which the lab must never touch. */
function rootNetworkState(): string {
  const read = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout;
  return [read('ip', ['-br', 'addr']), read('ip', ['route', 'show', 'table', 'all']), read('iptables-save', []).replace(/^#.*$/gm, '')].join('\n---\n');
}

let rootBefore = '';

beforeAll(async () => {
  await labDown();
  runMountExisted = existsSync('/run/mount');
  rootBefore = rootNetworkState();
  hosts = (await labUp()).hosts;
});

afterAll(async () => {
  await labDown();
});

describe('lab default scenario', () => {
  it('reproduces the incident: no ping reply, node neighbour resolves to the pod MAC, vxlan0 has the wrong MAC', async () => {
    expect(await ping(host(WORKER), POD_IP)).toBe(false);
    const neigh = await runOnHost(host(WORKER), ['ip', '-j', 'neigh', 'show', POD_IP]);
    expect((JSON.parse(neigh.stdout) as { lladdr?: string }[])[0]?.lladdr).toBe(POD_MAC);
    expect(await vxlan0Mac()).toBe('7e:e5:f7:e6:f5:1a');
    expect((await labStatus({ probe: true }))?.probes).toEqual([{ from: WORKER, to: POD_IP, ok: false }]);
  });

  it('shows the frames arriving on vxlan0 and dropped as otherhost while the MAC is wrong', async () => {
    const capture = runOnHost(host(VM), ['timeout', '6', 'tcpdump', '-l', '-nei', 'vxlan0', '-c', '2', 'icmp'], { netns: 'podns', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await ping(host(WORKER), POD_IP)).toBe(false);
    await ping(host(WORKER), POD_IP);
    const { stdout } = await capture;
    expect(stdout).toMatch(new RegExp(`> ${POD_MAC}, .*${POD_IP.replace(/\./g, '\\.')}: ICMP echo request`));
    const link = await runOnHost(host(VM), ['ip', '-j', '-s', '-s', 'link', 'show', 'vxlan0'], { netns: 'podns' });
    const [vxlan0] = JSON.parse(link.stdout) as { stats64?: { rx?: { otherhost?: number } } }[];
    expect(vxlan0.stats64?.rx?.otherhost ?? 0).toBeGreaterThan(0);
  });

  it("leaves the machine's own addresses, routes and firewall untouched and holds no lab address in the root namespace", () => {
    const now = rootNetworkState();
    expect(now).toBe(rootBefore);
    expect(now).not.toMatch(/192\.168\.10\.|10\.132\./);
  });

  it('gives each host its own hostname, named namespaces and OVS', async () => {
    const status = await labStatus({ probe: false });
    expect(status?.hosts.find((h) => h.name === VM)?.namespaces).toEqual(['podns']);
    expect(status?.hosts.find((h) => h.name === WORKER)?.namespaces).toEqual(['c16c7a01-5b9e-4d3f-8a2c-6e1f0b9d2a46']);
    expect((await runOnHost(host(VM), ['hostname'])).stdout.trim()).toBe(VM);
    expect((await runOnHost(host(WORKER), ['ovs-vsctl', 'br-exists', 'br-int'])).exitCode).toBe(0);
    expect((await runOnHost(host(VM), ['ovs-vsctl', 'show'])).exitCode).not.toBe(0);
    const config = await runOnHost(host(VM), ['cat', '/run/peerpod/podnetwork.json']);
    expect(JSON.parse(config.stdout)).toMatchObject({ podip: `${POD_IP}/23`, 'pod-hw-addr': POD_MAC, 'vxlan-id': 555005 });
  });

  it('heals the seed fault by giving vxlan0 the pod MAC, after which the worker gets replies', async () => {
    await labHeal('podvm-mac-mismatch');
    expect(await vxlan0Mac()).toBe(POD_MAC);
    const status = await labStatus({ probe: true });
    expect(status?.faults).toEqual([]);
    expect(status?.probes.every((p) => p.ok)).toBe(true);
  });

  it('refuses a second lab while another process holds the lab lock', async () => {
    const sleeper = spawn('sleep', ['30']);
    try {
      writeFileSync(path.join(labDir(), 'lock'), String(sleeper.pid));
      await expect(labUp()).rejects.toThrow(/only one lab/);
    } finally {
      sleeper.kill();
      execFileSync('rm', ['-f', path.join(labDir(), 'lock')]);
    }
  });

  it('the CLI reports status and rejects an unknown fault with one line and a non-zero exit', async () => {
    const lines: string[] = [];
    expect(await runLabCli(['status', '--json'], (l) => lines.push(l))).toBe(0);
    expect((JSON.parse(lines.join('\n')) as { scenario: string }).scenario).toBe('default');
    const err: string[] = [];
    expect(await runLabCli(['break', 'no-such-fault'], (l) => err.push(l))).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/unknown fault/);
  });

  it('keeps secrets set in real OVS out of the lab capture and out of tunnelscope-collect.sh output', async () => {
    const secrets = { 'ipsec-psk': 'lab-psk-9f3c51', 'tunnelscope-api-token': 'lab-token-77a1e0' };
    const worker = host(WORKER);
    const set = Object.entries(secrets).map(([k, v]) => `external_ids:${k}=${v}`);
    expect((await runOnHost(worker, ['ovs-vsctl', 'set', 'Open_vSwitch', '.', ...set])).exitCode).toBe(0);
    try {
      const bundle = await captureFromSource('lab');
      const text = JSON.stringify(bundle);
      for (const value of Object.values(secrets)) expect(text).not.toContain(value);
      const capture = bundle.hosts.find((h) => h.name === WORKER);
      expect(capture).toBeDefined();
      // The keys stay, so a reader still sees that a PSK is configured; OVN's own external ids are untouched.
      const ovs = parseHost(capture as HostCapture).ovs;
      expect(ovs?.externalIds).toMatchObject({ 'ipsec-psk': REDACTED, 'tunnelscope-api-token': REDACTED, 'ovn-encap-type': 'geneve' });
      const script = await runOnHost(worker, ['sh', path.resolve('public/tunnelscope-collect.sh'), '--no-netns'], { timeoutMs: 60_000 });
      expect(script.stdout).toContain(`["ipsec-psk","${REDACTED}"]`);
      for (const value of Object.values(secrets)) expect(script.stdout).not.toContain(value);
    } finally {
      await runOnHost(worker, ['ovs-vsctl', 'remove', 'Open_vSwitch', '.', 'external_ids', ...Object.keys(secrets)]);
    }
  });

  it('brings a lab up over one killed mid-way, and labDown then leaves nothing behind', async () => {
    await labDown();
    // node itself runs the script (not the tsx command, which would run it in a child the kill does not reach).
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('tests/lab/fixtures/lab-up.ts')], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const status = await labUp({ scenario: 'healthy' });
    hosts = status.hosts;
    expect(await ping(host(WORKER), POD_IP)).toBe(true);
    await labDown();
    expect(leftovers()).toEqual({ netns: [], daemons: [], nsfs: [] });
    expect(existsSync(labDir())).toBe(false);
    expect(existsSync('/run/mount')).toBe(runMountExisted);
    expect(await labStatus()).toBeNull();
  });
});
