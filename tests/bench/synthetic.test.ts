import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import { parseBundle, serializeBundle } from '@/lib/capture/bundle/bundle';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { syntheticBundle } from '@/bench/synthetic';

function sample() {
  const parsed = parseBundle(JSON.parse(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8')) as unknown);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.bundle;
}

describe('synthetic capture', () => {
  const base = sample();
  const template = analyze(base).findings.map((f) => f.rule);

  it('is a valid bundle whose replicas show the template’s incident once per worker and nothing else', () => {
    const bundle = parseBundle(serializeBundle(syntheticBundle(base, 3, 4, { podVms: true })));
    if (!bundle.ok) throw new Error(bundle.error);
    expect(bundle.bundle.hosts.map((h) => h.name)).toEqual([
      'ocp-412-ovn-worker-1-1',
      'podvm-nginx-priv-8b726648-1',
      'ocp-412-ovn-worker-1-2',
      'podvm-nginx-priv-8b726648-2',
      'ocp-412-ovn-worker-1-3',
      'podvm-nginx-priv-8b726648-3',
    ]);
    expect(analyze(bundle.bundle).findings.map((f) => f.rule)).toEqual([...template, ...template, ...template]);
  });

  it('gives every pod its own host-end veth, OVS port and logical port, and no two devices the same MAC or address', () => {
    const { topology } = analyze(syntheticBundle(base, 2, 5));
    const worker = topology.hosts[0];
    const root = worker.namespaces.find((n) => n.netns === null);
    const pods = worker.namespaces.filter((n) => n.netns !== null);
    const hostEnds = root?.interfaces.filter((i) => i.kind === 'veth' && pods.some((p) => p.netns === i.linkNetns)) ?? [];
    expect(hostEnds).toHaveLength(5);
    expect(new Set(worker.ovnLogicalPorts?.map((l) => l.name)).size).toBe(worker.ovnLogicalPorts?.length);
    expect(worker.ovs?.interfaces.filter((i) => i.externalIds['iface-id']?.startsWith('default_'))).toHaveLength(5);
    const devices = topology.hosts.flatMap((h) => h.namespaces.flatMap((n) => n.interfaces));
    const macs = devices.map((i) => i.mac).filter((m) => m !== undefined && m !== '00:00:00:00:00:00');
    expect(new Set(macs).size).toBe(macs.length);
    const ips = devices
      .flatMap((i) => i.addresses)
      .filter((a) => a.family === 'inet' && !a.local.startsWith('127.'))
      .map((a) => a.local);
    expect(new Set(ips).size).toBe(ips.length);
  });
});
