/**
 * A cluster capture from the dashboard acts as the person who asked: the built server (`next start`) in the
 * Kubernetes auth mode, against the test API server of the cluster tests (tests/cluster/test-apiserver.ts), which
 * answers TokenReview and SubjectAccessReview, and whose exec runs the collector script on kernel hosts built here
 * (network namespaces with the prefix him-, removed afterwards).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureBundle } from '@/lib/capture/types';
import { RBAC_GROUP } from '@/lib/auth/kube';
import { buildHosts, type TestHosts } from '../cluster/hosts';
import { agentPodObject, nodeObject, TestApiServer, type RequestRecord, type TokenRule } from '../cluster/test-apiserver';
import { startApp, type RunningApp } from './server';

const SA_TOKEN = 'dashboard-sa-token';
const NODES = ['node-a', 'node-b'];

/** The cluster's RBAC for the dashboard's roles (tunnelscope.io) and for what an impersonated person may do. */
const ROLES: Record<string, string[]> = {
  'sre-leads': ['get snapshots', 'create collections', 'delete snapshots'],
  sre: ['get snapshots', 'create collections'],
  interns: ['get snapshots', 'create collections'],
};
const CLUSTER_RULES: Record<string, TokenRule['deny']> = {
  sre: [],
  // Interns may start a collection in Tunnelscope, but the cluster does not let them exec into pods.
  interns: ['create pods/exec'],
};

describe('a cluster capture from the dashboard in Kubernetes mode', () => {
  let hosts: TestHosts;
  let api: TestApiServer;
  let app: RunningApp;
  let dir: string;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    hosts = await buildHosts(
      [
        { name: 'node-a', role: 'worker', pods: { 'him-web': '10.244.1.10/24' } },
        { name: 'node-b', role: 'worker', pods: { 'him-db': '10.244.2.10/24' } },
      ],
      'him-',
    );
    api = new TestApiServer({
      tokens: { [SA_TOKEN]: { user: 'system:serviceaccount:tunnelscope:dashboard' } },
      execPrefix: (pod) => hosts.hosts.find((h) => h.name === pod.spec?.nodeName)?.enter ?? null,
      people: {
        'token-alice': { username: 'alice', groups: ['sre'] },
        'token-ivan': { username: 'ivan', groups: ['interns'] },
        'token-ada': { username: 'ada', groups: ['sre-leads'] },
      },
      allows: (person, attributes) => attributes.group === RBAC_GROUP && person.groups.some((g) => ROLES[g]?.includes(`${attributes.verb} ${attributes.resource}`)),
      impersonated: (person) => {
        const known = person.groups.filter((g) => g in CLUSTER_RULES);
        // Someone the test cluster has no binding for may do nothing.
        if (!known.length) return { user: person.user, allow: [] };
        return { user: person.user, deny: known.flatMap((g) => CLUSTER_RULES[g] ?? []) };
      },
    });
    await api.start();
    api.nodes.push(nodeObject('node-a', '192.168.10.1', '10.244.1.0/24'), nodeObject('node-b', '192.168.10.2', '10.244.2.0/24'));
    api.addPod(agentPodObject('agent-a', 'node-a', '192.168.10.1'));
    api.addPod(agentPodObject('agent-b', 'node-b', '192.168.10.2'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'him-kubeconfig-'));
    const kubeconfig = path.join(dir, 'kubeconfig.yaml');
    fs.writeFileSync(kubeconfig, api.kubeconfig({ context: 'test', cluster: 'him-cluster', token: SA_TOKEN }));
    // One kubeconfig for both: the reviews (TUNNELSCOPE_KUBECONFIG) and the kube source (KUBECONFIG).
    app = await startApp({ env: { TUNNELSCOPE_AUTH: 'kubernetes', TUNNELSCOPE_KUBECONFIG: kubeconfig, KUBECONFIG: kubeconfig, TUNNELSCOPE_DEFAULT_SOURCE: 'sample' } });
  });
  afterAll(async () => {
    await app?.stop();
    await api?.stop();
    await hosts?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function capture(token: string): Promise<{ status: number; body: { snapshot?: { id: string; partialHosts: string[]; cluster?: string }; error?: unknown } }> {
    const response = await fetch(`${app.url}/api/snapshots`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'kube', kube: { mode: 'agent', nodes: NODES } }),
    });
    return { status: response.status, body: (await response.json()) as { snapshot?: { id: string; partialHosts: string[]; cluster?: string } } };
  }

  async function bundleOf(id: string, token: string): Promise<CaptureBundle> {
    const response = await fetch(`${app.url}/api/snapshots/${id}/bundle`, { headers: bearer(token) });
    expect(response.status).toBe(200);
    return (await response.json()) as CaptureBundle;
  }

  /** The requests the capture made as the dashboard's account (the reviews are the dashboard's own business). */
  const clusterRequests = (since: number): RequestRecord[] => api.requests.slice(since).filter((r) => !r.path.startsWith('/apis/authentication') && !r.path.startsWith('/apis/authorization'));

  it('collects as alice: every list and exec carries her name and group, and the audit log names her', async () => {
    const before = api.requests.length;
    const { status, body } = await capture('token-alice');
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.snapshot?.partialHosts).toEqual([]);
    expect(body.snapshot?.cluster).toBe('him-cluster');

    const seen = clusterRequests(before);
    const lists = seen.filter((r) => r.method === 'GET' && (r.path === '/api/v1/nodes' || r.path.endsWith('/pods')));
    const execs = seen.filter((r) => r.method === 'EXEC');
    expect(lists.map((r) => r.path)).toContain('/api/v1/nodes');
    expect(execs.map((r) => r.path).sort()).toEqual(['/api/v1/namespaces/tunnelscope-agent/pods/agent-a/exec', '/api/v1/namespaces/tunnelscope-agent/pods/agent-b/exec']);
    for (const r of seen) {
      expect([r.method, r.path, r.headersDistinct['impersonate-user'], r.headersDistinct['impersonate-group']]).toEqual([r.method, r.path, ['alice'], ['sre']]);
      // The dashboard's account authenticates; the person is only impersonated, never handed the account's token.
      expect(r.headersDistinct.authorization).toEqual([`Bearer ${SA_TOKEN}`]);
    }
    // The person's own token reached the API server only inside the TokenReview body.
    expect(JSON.stringify(seen)).not.toContain('token-alice');

    const bundle = await bundleOf(body.snapshot?.id ?? '', 'token-alice');
    expect(bundle.hosts.map((h) => [h.name, h.status])).toEqual([
      ['node-a', 'complete'],
      ['node-b', 'complete'],
    ]);

    const log = (await (await fetch(`${app.url}/api/audit?action=collect`, { headers: bearer('token-ada') })).json()) as {
      entries: Array<{ actor: string; mode: string; target: string; hosts: string[] }>;
    };
    expect(log.entries.map((e) => [e.actor, e.mode, e.target, [...e.hosts].sort()])).toEqual([['alice', 'kubernetes', 'kube', NODES]]);
  });

  it('runs the live view of the cluster as alice too', async () => {
    const before = api.requests.length;
    const response = await fetch(`${app.url}/api/live?source=kube&mode=agent`, { headers: bearer('token-alice') });
    expect(response.status, await response.clone().text()).toBe(200);
    const view = (await response.json()) as { meta: { hosts: string[]; partialHosts: string[] } };
    expect([...view.meta.hosts].sort()).toEqual(NODES);
    expect(view.meta.partialHosts).toEqual([]);
    const seen = clusterRequests(before);
    expect(seen.filter((r) => r.method === 'EXEC')).toHaveLength(2);
    for (const r of seen) expect([r.path, r.headersDistinct['impersonate-user'], r.headersDistinct['impersonate-group']]).toEqual([r.path, ['alice'], ['sre']]);
    const log = (await (await fetch(`${app.url}/api/audit?action=live`, { headers: bearer('token-ada') })).json()) as { entries: Array<{ actor: string; target: string }> };
    expect(log.entries.map((e) => [e.actor, e.target])).toEqual([['alice', 'kube:']]);
  });

  it('turns the cluster refusing exec to the impersonated person into failed hosts with the reason, not a 500', async () => {
    const before = api.requests.length;
    const { status, body } = await capture('token-ivan');
    expect(status, JSON.stringify(body)).toBe(201);
    expect([...(body.snapshot?.partialHosts ?? [])].sort()).toEqual(NODES);
    const execs = clusterRequests(before).filter((r) => r.method === 'EXEC');
    expect(execs).toHaveLength(2);
    for (const r of execs) expect([r.headersDistinct['impersonate-user'], r.headersDistinct['impersonate-group']]).toEqual([['ivan'], ['interns']]);

    const bundle = await bundleOf(body.snapshot?.id ?? '', 'token-ivan');
    for (const host of bundle.hosts) {
      expect(host.status).toBe('failed');
      expect(host.error).toMatch(/^RBAC refused: the account may not create pods\/exec in namespace tunnelscope-agent \(missing verb "create" on "pods\/exec"\)/);
    }
    const log = (await (await fetch(`${app.url}/api/audit?action=collect&actor=ivan`, { headers: bearer('token-ada') })).json()) as { entries: Array<{ actor: string }> };
    expect(log.entries.map((e) => e.actor)).toEqual(['ivan']);
  });
});
