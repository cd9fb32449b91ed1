import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBundle, serializeBundle } from '@/lib/capture/bundle/bundle';
import { bundleOf, checkHost, openBundleFile, parseHostText, writeBundleFile, type BundleFileOptions } from '@/lib/capture/bundle/bundle-file';
import { REDACTED, redactBundle } from '@/lib/capture/redact';
import type { BundleEnvelope, CaptureBundle, CommandRecord, HostCapture } from '@/lib/capture/types';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { syntheticHosts } from '@/bench/synthetic';

const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-bundle-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHUNKS: (number | undefined)[] = [1, 7, 64, 4096, undefined];
let files = 0;

function fileWith(text: string): string {
  const file = path.join(dir, `b${files++}.json`);
  writeFileSync(file, text);
  return file;
}

/** What the string path makes of the same text: parseBundle, then the redaction import applies. */
function expected(text: string): CaptureBundle {
  const parsed = parseBundle(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return redactBundle(parsed.bundle);
}

function readError(file: string, opts: BundleFileOptions = {}): string {
  try {
    openBundleFile(file, opts).readAll();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('the bundle was read without an error');
}

const sample = expected(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8'));
const { hosts: _hosts, ...sampleEnvelope } = sample;

function command(id: CommandRecord['id'], stdout: string): CommandRecord {
  return { id, argv: ['x'], stdout, stderr: '', exitCode: 0, durationMs: 1, status: 'ok', format: 'text' };
}

function host(name: string, commands: CommandRecord[]): HostCapture {
  return { name, role: 'worker', collectedAt: '2026-01-01T00:00:00.000Z', status: 'complete', namespaces: [{ netns: null, commands }] };
}

function tiny(bundle: Partial<CaptureBundle> = {}): CaptureBundle {
  return { ...sampleEnvelope, hosts: [host('a', [command('hostname', 'a\n')]), host('b', [command('hostname', 'b\n')])], ...bundle };
}

describe('bundle files', () => {
  it('reads the sample bundle host by host into what parseBundle makes of its text, at every chunk size', () => {
    const text = readFileSync(SAMPLE_BUNDLE_PATH, 'utf8');
    for (const chunkBytes of CHUNKS) {
      expect(openBundleFile(SAMPLE_BUNDLE_PATH, { chunkBytes }).readAll()).toEqual(expected(text));
    }
  });

  it('writes synthetic hosts byte for byte as serializeBundle does, and reads them back at every chunk size', () => {
    const hosts = [...syntheticHosts(sample, 2, 3, { podVms: true })];
    const envelope: BundleEnvelope = { ...sampleEnvelope, source: { kind: 'synthetic', detail: '2 × 3' } };
    const file = path.join(dir, 'synthetic.json');
    const bytes = writeBundleFile(file, envelope, hosts);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(serializeBundle(bundleOf(envelope, hosts)));
    expect(bytes).toBe(Buffer.byteLength(text));
    for (const chunkBytes of CHUNKS) {
      const read = openBundleFile(file, { chunkBytes }).readAll();
      expect(read.hosts).toHaveLength(4);
      expect(read).toEqual(expected(text));
    }
  });

  it('ends compact hosts at the separator before the next host, and scans a host where the separator lies deeper', () => {
    const bundle = tiny({ hosts: ['a', 'b', 'c', 'd'].map((name) => host(name, [command('hostname', `${name}\n`)])) });
    // Host a carries a member (dropped by validation) whose objects start with a name: the separator sits inside it.
    const text = serializeBundle(bundle).replace('{"name":"a",', '{"name":"a","extra":[{"x":1},{"name":"inner"}],');
    const file = fileWith(text);
    for (const chunkBytes of CHUNKS) {
      const texts = [...openBundleFile(file, { chunkBytes }).hostTexts()];
      // a: scanned (the separator inside it does not end a whole object); b, c: found by the separator; d: last.
      expect(texts.map((t) => 'value' in t)).toEqual([false, true, true, false]);
      expect(texts.map((t) => (parseHostText(t) as HostCapture).name)).toEqual(['a', 'b', 'c', 'd']);
      expect(openBundleFile(file, { chunkBytes }).readAll()).toEqual(expected(text));
    }
  });

  it('writes a bundle with a cluster as serializeBundle writes the parsed bundle: hosts, then cluster', () => {
    const cluster = { name: 'c1', nodes: [{ name: 'a', internalIPs: ['10.0.0.1'] }], pods: [{ namespace: 'default', name: 'p', ip: '10.128.0.5' }] };
    const bundle = tiny({ cluster });
    const file = path.join(dir, 'cluster.json');
    writeBundleFile(file, { ...sampleEnvelope, cluster }, bundle.hosts);
    const parsed = parseBundle(serializeBundle(bundle));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(readFileSync(file, 'utf8')).toBe(serializeBundle(parsed.bundle));
    expect(openBundleFile(file).readAll()).toEqual(parsed.bundle);
  });

  it('reads members in any order and any whitespace: cluster first, hosts last, envelope after the hosts, 2-space indent, CRLF', () => {
    const cluster = { nodes: [{ name: 'a', internalIPs: ['10.0.0.1'] }], pods: [] };
    const { hosts, ...envelope } = tiny();
    const layouts = [
      JSON.stringify({ cluster, ...envelope, hosts }),
      JSON.stringify({ hosts, cluster, ...envelope }),
      JSON.stringify({ ...envelope, hosts, cluster }, null, 2),
      JSON.stringify({ cluster, hosts, ...envelope }, null, 2).replace(/\n/g, '\r\n'),
      `\r\n\t{ "hosts" : [ ${hosts.map((h) => JSON.stringify(h)).join(' ,\n ')} ] ,${JSON.stringify(envelope).slice(1, -1)} }\r\n`,
    ];
    for (const text of layouts) {
      const file = fileWith(text);
      for (const chunkBytes of [1, 5, undefined]) expect(openBundleFile(file, { chunkBytes }).readAll()).toEqual(expected(text));
    }
  });

  it('finds the end of strings with escaped quotes, backslash runs and multibyte characters wherever a chunk ends', () => {
    const outputs = ['say \\"hi\\" \\\\', 'ends with a backslash \\', '\\\\\\"', 'ü 漢 😀 — grüße', '"', '\\"quoted\\"\\\\', '😀'.repeat(9)];
    const bundle = tiny({
      hosts: [
        host(
          'ü-漢',
          outputs.map((o) => command('hostname', o)),
        ),
        host('😀', [command('hostname', '\\\\"}]{[,"')]),
      ],
    });
    const text = serializeBundle(bundle);
    const file = fileWith(text);
    for (let chunkBytes = 1; chunkBytes <= 40; chunkBytes++) {
      expect(openBundleFile(file, { chunkBytes }).readAll()).toEqual(expected(text));
    }
  });

  it('hands out host texts, their values and checked hosts as separate steps, for timing each', () => {
    const file = fileWith(serializeBundle(tiny()));
    const texts = [...openBundleFile(file).hostTexts()];
    expect(texts.map((t) => t.index)).toEqual([0, 1]);
    expect(texts[1].at).toBe(readFileSync(file, 'utf8').indexOf('{"name":"b"'));
    expect(texts.map((t) => checkHost(parseHostText(t), t.index))).toEqual(tiny().hosts);
  });

  it('masks secrets in every host and in the cluster as it reads them', () => {
    const ovsdb = '{"data":[[["uuid","1b2c"],"vx-ipsec",["map",[["psk","swordfish"]]],["map",[["ipsec_psk","hunter2"]]]]],"headings":["_uuid","name","options","external_ids"]}\n';
    const annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{"secret":"x"}', team: 'net' };
    const cluster = { nodes: [], pods: [{ namespace: 'default', name: 'p', annotations }] };
    const file = fileWith(JSON.stringify({ ...tiny(), hosts: [host('a', [command('ovs-interface', ovsdb)])], cluster }));
    const bundle = openBundleFile(file).readAll();
    const stdout = bundle.hosts[0].namespaces[0].commands[0].stdout;
    expect(stdout).not.toMatch(/swordfish|hunter2/);
    expect(stdout).toContain(`["ipsec_psk","${REDACTED}"]`);
    expect(bundle.cluster?.pods[0].annotations).toEqual({ 'kubectl.kubernetes.io/last-applied-configuration': REDACTED, team: 'net' });
  });

  it('says where a file is not JSON, truncated or followed by other data, in one line', () => {
    const text = serializeBundle(tiny());
    const cut = text.indexOf('a\\n') + 1;
    expect(readError(fileWith(text.slice(0, cut)))).toBe(`capture bundle is not valid JSON at byte ${cut}: the file ends inside a string (truncated?)`);
    expect(readError(fileWith(text.slice(0, -2)))).toBe(`capture bundle is not valid JSON at byte ${text.length - 2}: expected ',' or ']' after a host but the file ends (truncated?)`);
    expect(readError(fileWith(`${text}\n}`))).toBe(`capture bundle is not valid JSON at byte ${text.length + 1}: unexpected data after the bundle, found "}"`);
    expect(readError(fileWith('{"format" "x"}'))).toBe('capture bundle is not valid JSON at byte 10: expected \':\' after "format", found "\\""');
    expect(readError(fileWith(''))).toBe('capture bundle is not valid JSON at byte 0: the file is empty');
    expect(readError(fileWith('[1]'))).toBe('not a Tunnelscope capture bundle: expected a JSON object');
    const badHost = text.replace('{"name":"b"', '{"name":"bü漢" "role":1');
    const at = Buffer.byteLength(badHost.slice(0, badHost.indexOf('"role":1')));
    expect(readError(fileWith(badHost))).toBe(`capture bundle is not valid JSON at byte ${at}: Expected ',' or '}' after property value`);
  });

  it('refuses hosts that are not an array, a wrong format or version, and an invalid host with parseBundle’s message', () => {
    const { hosts, ...envelope } = tiny();
    const cases = [
      JSON.stringify({ ...envelope, hosts: { a: 1 } }),
      JSON.stringify({ ...envelope, format: 'other.capture', hosts }),
      JSON.stringify({ hosts, ...envelope, version: 2 }),
      JSON.stringify({ ...envelope, hosts: [hosts[0], { ...hosts[1], namespaces: [{ netns: null, commands: [{ ...hosts[1].namespaces[0].commands[0], status: 'weird' }] }] }] }),
      JSON.stringify({ hosts }),
      JSON.stringify({ ...envelope, hosts, source: { kind: 'mars' } }),
    ];
    for (const text of cases) {
      const parsed = parseBundle(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(readError(fileWith(text))).toBe(parsed.error);
    }
    expect(parseBundle(cases[3])).toMatchObject({ error: expect.stringContaining('hosts[1].namespaces[0].commands[0].status') as unknown });
  });

  it('checks format and version before the first host when they come first, and when reached when they follow the hosts', () => {
    const { hosts, ...envelope } = tiny();
    const yielded = (text: string) => {
      const names: string[] = [];
      expect(() => {
        for (const h of openBundleFile(fileWith(text)).hosts()) names.push(h.name);
      }).toThrow(/unsupported capture bundle version 2/);
      return names;
    };
    expect(yielded(JSON.stringify({ ...envelope, version: 2, hosts }))).toEqual([]);
    expect(yielded(JSON.stringify({ hosts, ...envelope, version: 2 }))).toEqual(['a', 'b']);
  });

  it('refuses a host larger than the limit and more hosts than a bundle may hold', () => {
    const text = serializeBundle(tiny({ hosts: [host('a', [command('hostname', 'x'.repeat(5000))])] }));
    expect(readError(fileWith(text), { maxHostBytes: 4096, chunkBytes: 1024 })).toMatch(
      /^host 0 of the capture bundle \(from byte \d+\) is larger than 4096 bytes, the most Tunnelscope reads at once$/,
    );
    // The last host is small, and so is what follows it; together they are more than the limit.
    const pods = Array.from({ length: 70 }, (_, i) => ({ namespace: 'default', name: `pod-${i}`, ip: `10.128.0.${i}` }));
    const tail = serializeBundle(tiny({ cluster: { name: 'c', nodes: [{ name: 'a', internalIPs: ['10.0.0.1'] }], pods } }));
    expect(tail.length - tail.indexOf('{"name":"b"')).toBeGreaterThan(4096);
    expect(openBundleFile(fileWith(tail), { maxHostBytes: 4096, chunkBytes: 1024 }).readAll()).toEqual(expected(tail));
    const many = JSON.stringify({ ...tiny(), hosts: Array.from({ length: 5001 }, (_, i) => host(`h${i}`, [])) });
    expect(readError(fileWith(many))).toBe('capture bundle holds more than 5000 hosts, the most one bundle may hold');
  });
});
