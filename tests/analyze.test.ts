import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeHosts } from '@/lib/analyze';
import { openBundleFile, writeBundleFile } from '@/lib/capture/bundle/bundle-file';
import type { CaptureBundle } from '@/lib/capture/types';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { clusterBundle } from './e2e/cluster-bundle';

function analyzedFromFile(file: string) {
  const bundle = openBundleFile(file, { chunkBytes: 4096 });
  return analyzeHosts(bundle.hosts(), bundle.cluster);
}

describe('analysis of hosts read one at a time', () => {
  it('equals the analysis of the whole sample bundle', () => {
    const whole = analyze(openBundleFile(SAMPLE_BUNDLE_PATH).readAll());
    expect(whole.findings.map((f) => f.rule)).toEqual(['peerpod-podvm-mac-mismatch']);
    expect(analyzedFromFile(SAMPLE_BUNDLE_PATH)).toEqual(whole);
  });

  it('equals the analysis of a bundle of many peer-pod pairs with a cluster written after the hosts', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-analyze-'));
    try {
      const base = clusterBundle(3);
      const bundle: CaptureBundle = { ...base, cluster: { nodes: [{ name: base.hosts[0].name, internalIPs: ['192.168.10.1'] }], pods: [] } };
      const { hosts, ...envelope } = bundle;
      const file = path.join(dir, 'cluster.json');
      writeBundleFile(file, envelope, hosts);
      const streamed = analyzedFromFile(file);
      expect(streamed.findings.filter((f) => f.rule === 'peerpod-podvm-mac-mismatch')).toHaveLength(3);
      expect(streamed).toEqual(analyze(bundle));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
