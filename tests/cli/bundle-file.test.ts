import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/cli/main';
import { openBundleFile, writeBundleFile } from '@/lib/capture/bundle/bundle-file';
import { MAX_IMPORT_FILE_CHARS } from '@/lib/capture/import';
import type { BundleEnvelope } from '@/lib/capture/types';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { syntheticHosts } from '@/bench/synthetic';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function diagnosed(file: string): Promise<string[]> {
  const { code, out, err } = await run('diagnose', file, '--json');
  expect(err).toBe('');
  expect(code).toBe(0);
  return (JSON.parse(out) as { findings: { rule: string }[] }).findings.map((f) => f.rule);
}

/** Workers of 60 pods each, enough for a bundle longer than import reads as one string. */
const WORKERS = 64;

describe('tunnelscope CLI on bundle files of any size', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-cli-big-'));
  const big = path.join(dir, 'big.json');
  const small = path.join(dir, 'small.json');

  beforeAll(() => {
    const base = openBundleFile(SAMPLE_BUNDLE_PATH).readAll();
    const { hosts: _hosts, ...sample } = base;
    const envelope: BundleEnvelope = { ...sample, source: { kind: 'synthetic', detail: 'cli test' } };
    writeBundleFile(big, envelope, syntheticHosts(base, WORKERS, 60, { podVms: true }));
    writeBundleFile(small, envelope, syntheticHosts(base, 2, 60, { podVms: true }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('diagnose reads a bundle longer than import takes as one string and finds what it finds in a small one', async () => {
    expect(statSync(big).size).toBeGreaterThan(MAX_IMPORT_FILE_CHARS);
    const rules = await diagnosed(big);
    expect(rules.filter((r) => r === 'peerpod-podvm-mac-mismatch')).toHaveLength(WORKERS);
    expect(new Set(rules)).toEqual(new Set(await diagnosed(small)));
  });

  it('import of the big bundle writes it back byte for byte', async () => {
    const out = path.join(dir, 'out.json');
    const { code, err } = await run('import', big, '-o', out);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(big))).toBe(true);
    rmSync(out);
  });

  it('import of two bundle files merges hosts by name as importFiles does', async () => {
    const out = path.join(dir, 'twice.json');
    expect((await run('import', SAMPLE_BUNDLE_PATH, SAMPLE_BUNDLE_PATH, '-o', out)).code).toBe(0);
    const merged = openBundleFile(out).readAll();
    const sample = openBundleFile(SAMPLE_BUNDLE_PATH).readAll();
    expect(merged.hosts.map((h) => h.name)).toEqual(sample.hosts.map((h) => h.name));
    expect(merged.hosts[0].namespaces[0].commands).toHaveLength(2 * sample.hosts[0].namespaces[0].commands.length);
    expect(merged.source.kind).toBe('upload');
  });

  it('a truncated bundle file, or one too big for a snapshot, is one error line and a non-zero exit', async () => {
    const truncated = path.join(dir, 'truncated.json');
    writeFileSync(truncated, readFileSync(SAMPLE_BUNDLE_PATH).subarray(0, 30_000));
    for (const command of ['diagnose', 'topology', 'import']) {
      const { code, err } = await run(command, truncated);
      expect(code).not.toBe(0);
      expect(err.split('\n')).toHaveLength(1);
      expect(err).toMatch(/^tunnelscope: error: \S+truncated\.json: capture bundle is not valid JSON at byte \d+: .*\(truncated\?\)$/);
    }
    const snapshot = await run('snapshot', big);
    expect(snapshot.code).not.toBe(0);
    expect(snapshot.err).toMatch(/^tunnelscope: error: \S+big\.json is \d+ MiB, more than the 64 MiB this command reads; /);
    expect(snapshot.err.split('\n')).toHaveLength(1);
  });
});
