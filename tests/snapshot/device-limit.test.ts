import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import { closeStore } from '@/lib/store';
import { fromFiles } from '@/lib/serve/intake';
import { deriveSnapshot } from '@/lib/snapshot/derive';
import { DEFAULT_MAX_DEVICES_PER_HOST, maxDevicesPerHost, SnapshotLimitError } from '@/lib/snapshot/device-limit';
import { BUNDLE_LIMITS } from '@/lib/capture/bundle/limits';
import { incidentBundle } from '../helpers/incident-sample';
import { list, postJson, postRaw, useDatabase, type ErrorBody } from '../api/api';

/** A pasted `ip -j addr` of each host, with that many devices. */
function transcript(devices: Record<string, number>): string {
  return Object.entries(devices)
    .map(([host, count], h) => {
      const links = Array.from(
        { length: count },
        (_, d) => `{"ifindex":${d + 1},"ifname":"eth${d}","flags":["UP","LOWER_UP"],"mtu":1500,"address":"02:00:00:${h}:${(d >> 8) & 255}:${d & 255}","addr_info":[]}`,
      );
      return `root@${host}:~# ip -j addr\n[${links.join(',')}]\n`;
    })
    .join('');
}

async function bundleOf(devices: Record<string, number>) {
  return (await fromFiles([{ name: 'paste.txt', content: transcript(devices) }], undefined)).bundle;
}

describe('devices per host', () => {
  it('derives a snapshot whose hosts are all within the limit', async () => {
    const derived = deriveSnapshot({ bundle: await bundleOf({ 'node-a': 12, 'node-b': 3 }) }, analyze, 12);
    expect(derived.meta.hosts).toEqual(['node-a', 'node-b']);
  });

  it('refuses the capture naming each host over the limit with its count, largest first', async () => {
    const bundle = await bundleOf({ 'node-a': 13, 'node-b': 3, 'node-c': 20 });
    let refused: unknown;
    try {
      deriveSnapshot({ bundle }, analyze, 12);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(SnapshotLimitError);
    expect((refused as SnapshotLimitError).message).toMatch(
      /^Hosts "node-c" has 20 devices, "node-a" has 13 devices: more than the 12 one host may hold \(TUNNELSCOPE_MAX_DEVICES_PER_HOST\)\. Nothing was stored\./,
    );
    expect((refused as SnapshotLimitError).details).toEqual({
      limit: 12,
      hosts: [
        { name: 'node-c', devices: 20 },
        { name: 'node-a', devices: 13 },
      ],
    });
  });

  it('reads the limit from TUNNELSCOPE_MAX_DEVICES_PER_HOST, keeping the default for anything but a positive integer', () => {
    expect(maxDevicesPerHost({ TUNNELSCOPE_MAX_DEVICES_PER_HOST: '500' })).toBe(500);
    for (const bad of [undefined, '', '0', '-3', '1.5', 'many']) expect(maxDevicesPerHost({ TUNNELSCOPE_MAX_DEVICES_PER_HOST: bad })).toBe(DEFAULT_MAX_DEVICES_PER_HOST);
  });
});

describe('POST /api/snapshots past the size limits of a snapshot', () => {
  let dir = '';
  beforeAll(async () => {
    // Read by the analysis thread, which starts with this process's environment at the first upload.
    process.env.TUNNELSCOPE_MAX_DEVICES_PER_HOST = '10';
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunnelscope-devices-'));
    await useDatabase({ kind: 'sqlite', file: path.join(dir, 'tunnelscope.db') });
  });
  afterAll(async () => {
    await closeStore();
    fs.rmSync(dir, { recursive: true, force: true });
    delete process.env.TUNNELSCOPE_MAX_DEVICES_PER_HOST;
  });

  it('answers 422 too_many_devices naming the host and its count, and stores nothing', async () => {
    const response = await postRaw(transcript({ 'node-a': 4, 'node-big': 11 }), { 'content-type': 'text/plain' }, '?name=paste.txt');
    expect(response.status).toBe(422);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('too_many_devices');
    expect(body.error.message).toContain('Host "node-big" has 11 devices: more than the 10 one host may hold (TUNNELSCOPE_MAX_DEVICES_PER_HOST)');
    expect(((await (await list()).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('answers a bundle of more hosts than a snapshot holds with 422 too_many_hosts, the count and how to split it', async () => {
    const sample = incidentBundle();
    // Small hosts, so that the bundle is within the upload limit and only its host count is over.
    const hosts = Array.from({ length: BUNDLE_LIMITS.hosts + 7 }, (_, i) => ({ ...sample.hosts[0], name: `node-${i}`, namespaces: [{ netns: null, commands: [] }] }));
    for (const body of [
      { ...sample, hosts },
      { bundle: { ...sample, hosts }, title: 'big' },
    ]) {
      const response = await postJson(body);
      expect(response.status).toBe(422);
      const { error } = (await response.json()) as ErrorBody & { error: { details: unknown } };
      expect(error.code).toBe('too_many_hosts');
      expect(error.message).toBe(
        `The capture holds ${BUNDLE_LIMITS.hosts + 7} hosts: more than the ${BUNDLE_LIMITS.hosts} one snapshot may hold. Nothing was stored. ` +
          `Capture the cluster in parts of at most ${BUNDLE_LIMITS.hosts} hosts (a collection or upload per group of nodes) and store each part as its own snapshot.`,
      );
      expect(error.details).toEqual({ limit: BUNDLE_LIMITS.hosts, hosts: BUNDLE_LIMITS.hosts + 7 });
    }
    expect(((await (await list()).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('stores the same capture once every host is within the limit', async () => {
    const response = await postRaw(transcript({ 'node-a': 4, 'node-big': 10 }), { 'content-type': 'text/plain' }, '?name=paste.txt');
    expect(response.status).toBe(201);
  });
});
