import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as live from '@/app/api/live/route';
import { closeStore, getStore } from '@/lib/store';
import type { SnapshotView } from '@/lib/snapshot/types';
import { BASE, postJson } from './api';

async function getLive(query: string): Promise<{ status: number; body: unknown; cache: string | null }> {
  const response = await live.GET(new Request(`${BASE}/api/live${query}`));
  return { status: response.status, body: await response.json(), cache: response.headers.get('cache-control') };
}

/** One refused SSH choice, as a live query and as a snapshot's body, with the field both must name and why. */
interface Refused {
  what: string;
  query: Record<string, string>;
  ssh: Record<string, unknown>;
  field: string;
  rule: string;
  podVms?: false;
}

const SECRET = 'tunnelscope/pod-vm-ssh';
const KEY_TEXT = '-----BEGIN OPENSSH PRIVATE KEY-----';
const REFUSED: Refused[] = [
  {
    what: 'a Secret name with capitals',
    query: { keySecret: 'Tunnelscope/pod-vm-ssh' },
    ssh: { keySecret: 'Tunnelscope/pod-vm-ssh' },
    field: 'podVmSsh.keySecret',
    rule: 'names a Secret as NAMESPACE/NAME',
  },
  {
    what: 'a key file path',
    query: { keySecret: '/etc/tunnelscope/id_ed25519' },
    ssh: { keySecret: '/etc/tunnelscope/id_ed25519' },
    field: 'podVmSsh.keySecret',
    rule: 'names a Secret as NAMESPACE/NAME',
  },
  { what: 'the key itself', query: { keySecret: SECRET, key: KEY_TEXT }, ssh: { keySecret: SECRET, key: KEY_TEXT }, field: 'podVmSsh', rule: "Unrecognized key(s) in object: 'key'" },
  {
    what: 'a known_hosts file',
    query: { keySecret: SECRET, knownHostsFile: '/etc/ssh/ssh_known_hosts' },
    ssh: { keySecret: SECRET, knownHostsFile: '/etc/ssh/ssh_known_hosts' },
    field: 'podVmSsh',
    rule: "Unrecognized key(s) in object: 'knownHostsFile'",
  },
  { what: 'a port', query: { keySecret: SECRET, port: '2222' }, ssh: { keySecret: SECRET, port: 2222 }, field: 'podVmSsh', rule: "Unrecognized key(s) in object: 'port'" },
  { what: 'a user that is no login name', query: { keySecret: SECRET, user: 'root;id' }, ssh: { keySecret: SECRET, user: 'root;id' }, field: 'podVmSsh.user', rule: 'is a login name' },
  {
    what: 'unchecked host keys with a known_hosts ConfigMap',
    query: { keySecret: SECRET, knownHostsConfigMap: 'tunnelscope/known-hosts', skipHostKeyCheck: '1' },
    ssh: { keySecret: SECRET, knownHostsConfigMap: 'tunnelscope/known-hosts', skipHostKeyCheck: true },
    field: 'podVmSsh.skipHostKeyCheck',
    rule: 'cannot be given with a known_hosts ConfigMap',
  },
  { what: 'SSH without pod VMs', query: { keySecret: SECRET }, ssh: { keySecret: SECRET }, field: 'podVmSsh', rule: 'needs podVms: true', podVms: false },
];

describe('GET /api/live', () => {
  // Each live capture goes on the audit log: the test's own database, not the checkout's ./data.
  let dir: string;
  beforeAll(async () => {
    await closeStore();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslive-'));
    process.env.TUNNELSCOPE_DATA_DIR = dir;
    delete process.env.DATABASE_URL;
  });
  afterAll(async () => {
    await closeStore();
    delete process.env.TUNNELSCOPE_DATA_DIR;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('captures the bundled sample and diagnoses it, uncached, and finds nothing more on a refresh of the same capture', async () => {
    const first = await getLive('?source=sample');
    expect([first.status, first.cache]).toEqual([200, 'no-store']);
    const view = first.body as SnapshotView;
    expect(view.meta.id).toBe('live');
    expect(view.findings.filter((f) => f.severity !== 'info').map((f) => f.rule)).toEqual(['peerpod-podvm-mac-mismatch']);
    // The sample is one capture: its counters do not move, so a refresh adds no finding about what happened in between.
    const again = (await getLive('?source=sample')).body as SnapshotView;
    expect(again.findings.map((f) => f.rule)).toEqual(view.findings.map((f) => f.rule));
    const logged = await getStore().listAudit({ action: 'live' });
    expect(logged.map((e) => `${e.actor} ${e.mode} ${e.target}`)).toEqual(['local none sample', 'local none sample']);
    expect(logged[0].hosts).toEqual(view.meta.hosts);
  });

  it('answers 400 for an unknown source', async () => {
    const { status } = await getLive('?source=mars');
    expect(status).toBe(400);
  });

  it('answers 400 when a cluster capture names nodes and a label selector both, as the CLI refuses', async () => {
    const { status, body } = await getLive('?source=kube&nodes=node-a,node-b&selector=pool%3Dblue');
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toMatch(/nodes or selector, not both/);
  });

  it.each(REFUSED)('refuses $what with 400 naming the field, as a snapshot request is refused', async (c) => {
    const logged = (await getStore().listAudit({ action: 'live' })).length;
    const query = new URLSearchParams({ source: 'kube', ...(c.podVms === false ? {} : { podVms: '1' }) });
    for (const [field, value] of Object.entries(c.query)) query.set(`podVmSsh.${field}`, value);
    const live = await getLive(`?${query}`);
    const liveMessage = (live.body as { error: { message: string } }).error.message;
    expect(live.status).toBe(400);
    expect(liveMessage).toContain(`${c.field}: ${c.rule}`);

    const snapshot = await postJson({ source: 'kube', kube: { podVms: c.podVms ?? true, podVmSsh: c.ssh } });
    const snapshotMessage = ((await snapshot.json()) as { error: { message: string } }).error.message;
    expect(snapshot.status).toBe(400);
    expect(snapshotMessage).toContain(`kube.${c.field} ${c.rule}`);
    // Nothing was collected, so nothing more went on the audit log.
    expect(await getStore().listAudit({ action: 'live' })).toHaveLength(logged);
  });
});
