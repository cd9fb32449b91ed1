/** The Kubernetes mode through the real @kubernetes/client-node against the wire-level test API server of the cluster tests. */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authConfigFromEnv } from '@/lib/auth/config';
import { identify } from '@/lib/auth/identity';
import { ImpersonatingKubeConfig, impersonationFor, kubeConfigFor } from '@/lib/auth/impersonation';
import { KubeReviewError, kubeReviewer, RBAC_GROUP } from '@/lib/auth/kube';
import { TestApiServer, type ResourceAttributes } from '../cluster/test-apiserver';

const SA_TOKEN = 'dashboard-service-account-token';

/** RBAC of the test cluster: who may do what on tunnelscope.io and on nodes. */
function allows(person: { user: string; groups: string[] }, attributes: ResourceAttributes): boolean {
  const key = `${attributes.verb} ${attributes.group}/${attributes.resource}`;
  if (person.groups.includes('sre-leads')) return true;
  if (person.groups.includes('sre')) return key !== `delete ${RBAC_GROUP}/snapshots`;
  if (person.user === 'viktor@corp') return key === `get ${RBAC_GROUP}/snapshots`;
  return false;
}

describe('Kubernetes mode against a test API server', () => {
  let api: TestApiServer;
  const kc = new KubeConfig();
  const kubeconfig = (token: string) => api.kubeconfig({ context: 'test', cluster: 'test', token });

  beforeAll(async () => {
    api = new TestApiServer({
      // The dashboard's own service account: the only token the server accepts on its API.
      tokens: { [SA_TOKEN]: { user: 'system:serviceaccount:tunnelscope:dashboard' } },
      execPrefix: () => null,
      people: {
        'token-ann': { username: 'ann@corp', groups: ['sre-leads'] },
        'token-sam': { username: 'sam@corp', uid: 'u-7', groups: ['sre', 'oncall'] },
        'token-viktor': { username: 'viktor@corp', groups: [] },
        'token-nora': { username: 'nora@corp', groups: ['interns'] },
      },
      allows,
      // An impersonated person lists nodes only where the test cluster's RBAC lets them.
      impersonated: (person) => (allows(person, { group: '', resource: 'nodes', verb: 'list' }) ? { user: person.user } : { user: person.user, allow: [] }),
    });
    await api.start();
    api.nodes.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' } });
    kc.loadFromString(kubeconfig(SA_TOKEN));
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('asks TokenReview who holds a token, and answers null for a token the cluster does not know', async () => {
    const reviewer = kubeReviewer(kc);
    expect(await reviewer.review('token-sam')).toEqual({ user: 'sam@corp', uid: 'u-7', groups: ['sre', 'oncall', 'system:authenticated'], extra: undefined });
    expect(await reviewer.review('token-unknown')).toBeNull();
    const review = api.requests.find((r) => r.path.endsWith('/tokenreviews'));
    expect(review?.headersDistinct.authorization).toEqual([`Bearer ${SA_TOKEN}`]);
    expect(review?.body).toMatchObject({ kind: 'TokenReview', spec: { token: 'token-sam' } });
  });

  it('lets RBAC decide the role with SubjectAccessReviews on tunnelscope.io resources', async () => {
    const reviewer = kubeReviewer(kc);
    const roleOf = async (token: string) => reviewer.role((await reviewer.review(token))!);
    expect(await roleOf('token-ann')).toBe('admin');
    expect(await roleOf('token-sam')).toBe('collector');
    expect(await roleOf('token-viktor')).toBe('viewer');
    expect(await roleOf('token-nora')).toBeNull();
    const sar = api.requests.filter((r) => r.path.endsWith('/subjectaccessreviews')).pop();
    expect(sar?.body).toMatchObject({ kind: 'SubjectAccessReview', spec: { user: 'nora@corp', resourceAttributes: { group: RBAC_GROUP, resource: 'snapshots', verb: 'get' } } });
  });

  it('identifies a request by its bearer token end to end, naming the person and not the service account', async () => {
    const config = authConfigFromEnv({ TUNNELSCOPE_AUTH: 'kubernetes', TUNNELSCOPE_HOST: '0.0.0.0' });
    const reviewer = kubeReviewer(kc);
    const caller = await identify(new Headers({ authorization: 'Bearer token-sam' }), { config, secret: async () => 'unused', kube: () => reviewer });
    expect(caller).toMatchObject({ user: 'sam@corp', role: 'collector', via: 'kubernetes' });
    expect(await identify(new Headers({ authorization: 'Bearer forged' }), { config, secret: async () => 'unused', kube: () => reviewer })).toBeNull();
  });

  it('reports a dashboard account the API server refuses as a message an operator can act on', async () => {
    const wrong = new KubeConfig();
    wrong.loadFromString(kubeconfig('not-the-service-account'));
    const error = await kubeReviewer(wrong)
      .review('token-sam')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeReviewError);
    expect(String(error)).toMatch(/HTTP 401.*tokenreviews/);
  });

  it('runs cluster requests as the caller: the API server sees Impersonate-User and each group, and applies their RBAC', async () => {
    const sam = impersonationFor({ user: 'sam@corp', groups: ['sre', 'oncall', 'system:authenticated'], role: 'collector', via: 'kubernetes' });
    expect(sam).toEqual({ user: 'sam@corp', groups: ['sre', 'oncall'] });
    expect(impersonationFor({ user: 'dana', groups: ['sre'], role: 'collector', via: 'proxy' })).toBeNull();
    const asSam = new ImpersonatingKubeConfig(kc, sam!);
    const nodes = await asSam.makeApiClient(CoreV1Api).listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['worker-1']);
    const seen = api.requests.filter((r) => r.path === '/api/v1/nodes').pop();
    expect(seen?.headersDistinct['impersonate-user']).toEqual(['sam@corp']);
    expect(seen?.headersDistinct['impersonate-group']).toEqual(['sre', 'oncall']);
    expect(seen?.headersDistinct.authorization).toEqual([`Bearer ${SA_TOKEN}`]);
    const asNora = new ImpersonatingKubeConfig(kc, { user: 'nora@corp', groups: ['interns'] });
    const refused = await asNora
      .makeApiClient(CoreV1Api)
      .listNode()
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 403 });
    expect(String((refused as { body: unknown }).body)).toContain('nora@corp');
  });

  it("gives a collection the caller's identity in Kubernetes mode and the dashboard's own account otherwise", async () => {
    const viaKube = kubeConfigFor({ user: 'viktor@corp', groups: ['system:authenticated'], role: 'viewer', via: 'kubernetes' }, kc);
    const refused = await viaKube
      .makeApiClient(CoreV1Api)
      .listNode()
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 403 });
    const seen = api.requests.filter((r) => r.path === '/api/v1/nodes').pop();
    expect(seen?.headersDistinct['impersonate-user']).toEqual(['viktor@corp']);
    expect(seen?.headersDistinct['impersonate-group']).toBeUndefined();
    expect(kubeConfigFor({ user: 'dana', groups: ['sre'], role: 'collector', via: 'proxy' }, kc)).toBe(kc);
  });
});
