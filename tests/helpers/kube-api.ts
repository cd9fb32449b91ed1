/**
 * A small Kubernetes API server for tests that speaks the real wire protocol to @kubernetes/client-node: HTTPS
 * with a CA made for the test (openssl), bearer tokens, JSON TokenReview and SubjectAccessReview objects, `Status`
 * errors, and the node list, so impersonated requests can be seen as the API server sees them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';

export interface Person {
  username: string;
  uid?: string;
  groups: string[];
}

export interface ResourceAttributes {
  group?: string;
  resource?: string;
  verb?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Header values as sent, one entry per header line. */
  headers: Record<string, string[]>;
  body: unknown;
}

export interface KubeApiOptions {
  /** The dashboard's own service account token: the only one the server accepts on its API. */
  serviceAccountToken: string;
  /** Tokens TokenReview knows, and whose they are. */
  people: Record<string, Person>;
  /** RBAC: may this person do this? */
  allows(person: { user: string; groups: string[] }, attributes: ResourceAttributes): boolean;
}

export interface KubeApiServer {
  url: string;
  /** A kubeconfig for the dashboard's account, trusting the test's CA. */
  kubeconfig(token?: string): string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=tunnelscope-test-ca');
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  return { ca: read('ca.crt'), cert: read('server.crt'), key: read('server.key') };
}

function send(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

type Review = { spec?: { token?: string; user?: string; groups?: string[]; resourceAttributes?: ResourceAttributes } };

export async function startKubeApi(options: KubeApiOptions): Promise<KubeApiServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-'));
  const certs = makeCertificates(dir);
  const requests: RecordedRequest[] = [];

  const server = https.createServer({ cert: certs.cert, key: certs.key }, (request, response) => {
    void (async () => {
      const body = await readJson(request);
      const url = new URL(request.url ?? '/', 'https://127.0.0.1');
      requests.push({ method: request.method ?? '', path: url.pathname, headers: request.headersDistinct as Record<string, string[]>, body });
      if (request.headers.authorization !== `Bearer ${options.serviceAccountToken}`) return send(response, 401, status(401, 'Unauthorized', 'Unauthorized'));
      const review = body as Review | undefined;
      if (request.method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews') {
        const person = options.people[review?.spec?.token ?? ''];
        const status = person
          ? { authenticated: true, user: { username: person.username, uid: person.uid, groups: [...person.groups, 'system:authenticated'] } }
          : { authenticated: false, error: 'token not found' };
        return send(response, 201, { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: {}, spec: review?.spec, status });
      }
      if (request.method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/subjectaccessreviews') {
        const spec = review?.spec ?? {};
        const allowed = options.allows({ user: spec.user ?? '', groups: spec.groups ?? [] }, spec.resourceAttributes ?? {});
        return send(response, 201, { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec, status: { allowed } });
      }
      if (request.method === 'GET' && url.pathname === '/api/v1/nodes') {
        const actingAs = request.headers['impersonate-user'];
        const user = typeof actingAs === 'string' ? actingAs : 'system:serviceaccount:tunnelscope:dashboard';
        const groups = request.headersDistinct['impersonate-group'] ?? [];
        if (!options.allows({ user, groups }, { group: '', resource: 'nodes', verb: 'list' })) {
          return send(response, 403, status(403, 'Forbidden', `nodes is forbidden: User "${user}" cannot list resource "nodes" in API group "" at the cluster scope`));
        }
        return send(response, 200, { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'worker-1' } }] });
      }
      send(response, 404, status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
    })().catch((error: unknown) => send(response, 500, status(500, 'InternalError', String(error))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `https://127.0.0.1:${port}`;
  return {
    url,
    requests,
    kubeconfig(token = options.serviceAccountToken) {
      return JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'test', cluster: { server: url, 'certificate-authority-data': Buffer.from(certs.ca).toString('base64') } }],
        users: [{ name: 'dashboard', user: { token } }],
        contexts: [{ name: 'test', context: { cluster: 'test', user: 'dashboard' } }],
        'current-context': 'test',
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
