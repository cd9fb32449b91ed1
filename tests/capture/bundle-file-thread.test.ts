import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBundle, serializeBundle } from '@/lib/capture/bundle/bundle';
import { BundleFileError, openBundleFile, writeBundleFile, type HostReader } from '@/lib/capture/bundle/bundle-file';
import { hostReader, openBundleFileThreaded, READ_AHEAD, THREAD_MIN_BYTES } from '@/lib/capture/bundle/bundle-file-thread';
import { REDACTED } from '@/lib/capture/redact';
import type { CaptureBundle } from '@/lib/capture/types';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { syntheticHosts } from '@/bench/synthetic';

const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-bundle-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function fileWith(text: string): string {
  const file = path.join(dir, `b${files++}.json`);
  writeFileSync(file, text);
  return file;
}

function sampleBundle(): CaptureBundle {
  const parsed = parseBundle(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.bundle;
}

/** The error a whole pass over `reader` ends with, as the class name and message. */
function passError(reader: HostReader): [string, string] {
  try {
    reader.readAll();
  } catch (error) {
    return error instanceof Error ? [error.constructor.name, error.message] : ['', String(error)];
  }
  throw new Error('the bundle was read without an error');
}

describe('bundle files read on a second thread', () => {
  it('yields what the same file read on this thread yields: hosts in order, envelope and cluster', () => {
    const threaded = openBundleFileThreaded(SAMPLE_BUNDLE_PATH);
    const whole = threaded.readAll();
    expect(whole).toEqual(openBundleFile(SAMPLE_BUNDLE_PATH).readAll());
    expect(whole.hosts.length).toBeGreaterThan(1);
    expect(threaded.envelope().source).toEqual(sampleBundle().source);
  });

  it('hands over many more hosts than it reads ahead, in file order, each pass anew', () => {
    const base = sampleBundle();
    const { hosts: _hosts, ...envelope } = base;
    const file = path.join(dir, 'many.json');
    writeBundleFile(file, envelope, syntheticHosts(base, 3 * READ_AHEAD, 2, { podVms: true }));
    const reader = openBundleFileThreaded(file);
    const names = Array.from(reader.hosts(), (h) => h.name);
    expect(names).toEqual(Array.from(openBundleFile(file).hosts(), (h) => h.name));
    expect(names.length).toBe(6 * READ_AHEAD);
    expect(Array.from(reader.hosts(), (h) => h.name)).toEqual(names);
  });

  it('lets a consumer stop early and read again', () => {
    const reader = openBundleFileThreaded(SAMPLE_BUNDLE_PATH);
    for (const host of reader.hosts()) {
      expect(host.name).not.toBe('');
      break;
    }
    expect(() => reader.envelope()).toThrow(/has not been read yet/);
    expect(reader.readAll().hosts.length).toBe(sampleBundle().hosts.length);
  });

  it('throws the errors the same file read on this thread throws, as BundleFileError with the same text', () => {
    const text = serializeBundle(sampleBundle());
    const cases = [
      path.join(dir, 'absent.json'),
      fileWith(text.slice(0, Math.floor(text.length / 2))),
      fileWith(text.replace('"status":"ok"', '"status":"fine"')),
      fileWith(JSON.stringify({ ...JSON.parse(text), version: 2 })),
    ];
    for (const file of cases) {
      const [kind, message] = passError(openBundleFileThreaded(file));
      expect(kind).toBe(BundleFileError.name);
      expect(message).toBe(passError(openBundleFile(file))[1]);
    }
  });

  it('masks secrets on the reading thread, as every other way in does', () => {
    const bundle = sampleBundle();
    const record = bundle.hosts[0].namespaces[0].commands[0];
    const leaky: CaptureBundle = {
      ...bundle,
      hosts: [{ ...bundle.hosts[0], namespaces: [{ netns: null, commands: [{ ...record, id: 'peerpod-config', stdout: '{"options":{"psk":"s3cr3t"}}' }] }] }],
    };
    const read = openBundleFileThreaded(fileWith(serializeBundle(leaky))).readAll();
    const stdout = read.hosts[0].namespaces[0].commands[0].stdout;
    expect(stdout).not.toContain('s3cr3t');
    expect(stdout).toContain(REDACTED);
  });

  it('reads small files on this thread and big ones on the second', () => {
    expect('hostTexts' in hostReader(SAMPLE_BUNDLE_PATH, THREAD_MIN_BYTES - 1)).toBe(true);
    expect('hostTexts' in hostReader(SAMPLE_BUNDLE_PATH, THREAD_MIN_BYTES)).toBe(false);
  });
});
