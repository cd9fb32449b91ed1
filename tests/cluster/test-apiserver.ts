/**
 * A test API server that speaks the real wire protocol for what Tunnelscope uses, so @kubernetes/client-node is
 * exercised end to end: HTTPS with its own CA (given to the client in a generated kubeconfig), bearer tokens,
 * JSON Node/Pod/List objects, `Status` errors, pods going Pending → Running, and exec over WebSocket with the
 * v5/v4 channel protocol whose commands run as real processes on the pod's host (a kernel namespace of the test);
 * TokenReview and SubjectAccessReview for the dashboard's Kubernetes auth mode; and impersonation as the real API
 * server does it (the token's account must be allowed to impersonate, then the request is authorised as the
 * person named by Impersonate-User / Impersonate-Group).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';

export interface TestObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; generateName?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string; uid?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  /** A Secret's values, base64 as the API serves them; a ConfigMap's, as text. */
  data?: Record<string, string>;
  /** A ConfigMap's values that are not UTF-8, base64. */
  binaryData?: Record<string, string>;
}

/** A Node as the API server lists it: its hostname label, pod CIDR and internal IP. */
export function nodeObject(name: string, ip: string, cidr: string): TestObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { podCIDR: cidr, podCIDRs: [cidr] },
    status: { addresses: [{ type: 'InternalIP', address: ip }] },
  };
}

/** The node agent's pod on `nodeName` (deploy/agent.yaml: host network, its labels), Running. */
export function agentPodObject(name: string, nodeName: string, ip: string): TestObject {
  return {
    metadata: { namespace: 'tunnelscope-agent', name, labels: { 'app.kubernetes.io/name': 'tunnelscope-agent' } },
    spec: { nodeName, hostNetwork: true, containers: [{ name: 'agent', image: 'tunnelscope-agent' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

/** An RBAC rule as a Role (namespace set) or ClusterRole (no namespace) grants it. */
export interface Grant {
  verb: string;
  resource: string;
  namespace?: string;
}

export interface TokenRule {
  user: string;
  /** verb + resource refused with 403, e.g. 'list nodes', 'create pods/exec'. */
  deny?: readonly string[];
  /** When given, only these are allowed, as RBAC would: everything else is refused with 403. */
  allow?: readonly Grant[];
}

function permitted(who: TokenRule, verb: string, resource: string, namespace?: string): boolean {
  if (who.deny?.includes(`${verb} ${resource}`)) return false;
  if (!who.allow) return true;
  return who.allow.some((g) => g.verb === verb && g.resource === resource && (g.namespace === undefined || g.namespace === namespace));
}

/** Someone TokenReview knows by a token. */
export interface Person {
  username: string;
  uid?: string;
  groups: string[];
}

/** What a SubjectAccessReview asks about. */
export interface ResourceAttributes {
  group?: string;
  resource?: string;
  verb?: string;
  namespace?: string;
}

/** Where an exec's standard output goes when no process answers it: resolves false once the stream is gone. */
export type ExecWrite = (data: Buffer) => Promise<boolean>;

/**
 * run: the command runs on the pod's host · hang: nothing is ever answered · cut: the stream ends after that many
 * bytes · reply: no process, `reply` writes the output and resolves with the exit code (a simulated host).
 */
export type ExecBehaviour = { kind: 'run' } | { kind: 'hang' } | { kind: 'cut'; afterBytes: number } | { kind: 'reply'; reply: (write: ExecWrite) => Promise<number> };

export interface TestApiServerOptions {
  tokens: Record<string, TokenRule>;
  /** The argv that puts a command on the pod's host (its namespaces), or null when the pod has no host. */
  execPrefix: (pod: TestObject) => readonly string[] | null;
  execBehaviour?: (pod: TestObject) => ExecBehaviour;
  /** Tokens TokenReview knows (not tokens of this server's API), and whose they are. */
  people?: Record<string, Person>;
  /** RBAC as a SubjectAccessReview reports it; without it, every review is refused. */
  allows?: (person: { user: string; groups: string[] }, attributes: ResourceAttributes) => boolean;
  /** The rule an impersonated person's requests are authorised by; without it, the token's own rule. */
  impersonated?: (person: { user: string; groups: string[] }) => TokenRule;
  /** A Status error code to answer an authorised request with instead (REST calls and exec upgrades alike). */
  fault?: (request: { method: string; path: string }) => number | undefined;
  /** Pods the scheduler never places: they stay Pending however often they are read. */
  unschedulable?: (pod: TestObject) => boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  search: string;
  /** The token's account. */
  user: string;
  headers: IncomingMessage['headers'];
  /** Header values as sent, one entry per header line. */
  headersDistinct: Record<string, string[]>;
  /** The JSON body of a POST, if any. */
  body?: unknown;
  /** An exec upgrade whose TLS session was resumed from an earlier connection's. */
  resumedTls?: boolean;
}

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) };
}

/** The Status a real API server gives with each code a fault may inject. */
function faultStatus(code: number): Record<string, unknown> {
  if (code === 429) return status(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later', { retryAfterSeconds: 1 });
  if (code === 404) return status(404, 'NotFound', 'the server could not find the requested resource');
  if (code >= 500) return status(code, 'InternalError', 'Internal error occurred: etcdserver: request timed out');
  return status(code, 'BadRequest', `the server refused the request (${code})`);
}

function makeCa(dir: string): { ca: string; key: string; cert: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-apiserver-ca']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver']);
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'san.ext']);
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  return { ca: read('ca.crt'), key: read('server.key'), cert: read('server.crt') };
}

function matchesSelector(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return (labels ?? {})[k] === v;
  });
}

export class TestApiServer {
  readonly requests: RequestRecord[] = [];
  readonly nodes: TestObject[] = [];
  readonly pods = new Map<string, TestObject>();
  /** Secrets by `namespace/name`. */
  readonly secrets = new Map<string, TestObject>();
  /** ConfigMaps by `namespace/name`. */
  readonly configMaps = new Map<string, TestObject>();
  /** Subprotocols this server speaks, preferred first (an older API server speaks only v4). */
  protocols = [...PROTOCOLS];
  /** The subprotocol each exec was held in. */
  readonly execProtocols: string[] = [];
  /** Names of every pod ever created through POST, in order. */
  readonly created: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  private ca = '';
  private dir = '';
  private counter = 0;
  url = '';

  constructor(private readonly opts: TestApiServerOptions) {}

  async start(): Promise<void> {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'h16-apiserver-'));
    const tls = makeCa(this.dir);
    this.ca = tls.ca;
    const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => this.protocols.find((p) => offered.has(p)) ?? false });
    this.server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => this.handle(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(wss, req, socket, head));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A kubeconfig for this server, as a user would have one: CA data, bearer token, a named context. */
  kubeconfig(opts: { context: string; cluster: string; token: string; namespace?: string }): string {
    const ca = Buffer.from(this.ca).toString('base64');
    return [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${opts.context}`,
      'clusters:',
      `- name: ${opts.cluster}`,
      '  cluster:',
      `    server: ${this.url}`,
      `    certificate-authority-data: ${ca}`,
      'users:',
      `- name: ${opts.context}-user`,
      '  user:',
      `    token: ${opts.token}`,
      'contexts:',
      `- name: ${opts.context}`,
      '  context:',
      `    cluster: ${opts.cluster}`,
      `    user: ${opts.context}-user`,
      ...(opts.namespace ? [`    namespace: ${opts.namespace}`] : []),
      '',
    ].join('\n');
  }

  addPod(pod: TestObject): void {
    const meta = { uid: `uid-${++this.counter}`, creationTimestamp: new Date().toISOString(), ...pod.metadata };
    this.pods.set(`${meta.namespace}/${meta.name}`, { apiVersion: 'v1', kind: 'Pod', ...pod, metadata: meta });
  }

  addSecret(namespace: string, name: string, values: Record<string, string>): void {
    const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    this.secrets.set(`${namespace}/${name}`, { apiVersion: 'v1', kind: 'Secret', metadata: { namespace, name, uid: `uid-${++this.counter}` }, data });
  }

  /** Values that are UTF-8 go to `data`, others (Buffers) to `binaryData`, as kubectl create configmap --from-file sorts them. */
  addConfigMap(namespace: string, name: string, values: Record<string, string | Buffer>): void {
    const entries = Object.entries(values);
    const data = Object.fromEntries(entries.filter((e): e is [string, string] => typeof e[1] === 'string'));
    const binary = Object.fromEntries(entries.filter((e): e is [string, Buffer] => typeof e[1] !== 'string').map(([k, v]) => [k, v.toString('base64')]));
    const metadata = { namespace, name, uid: `uid-${++this.counter}`, creationTimestamp: new Date().toISOString() };
    this.configMaps.set(`${namespace}/${name}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata, data, ...(Object.keys(binary).length ? { binaryData: binary } : {}) });
  }

  private user(req: IncomingMessage): TokenRule | null {
    const auth = req.headers.authorization ?? '';
    return auth.startsWith('Bearer ') ? (this.opts.tokens[auth.slice(7)] ?? null) : null;
  }

  /** Whom the request is authorised as: the token's account, or the person it impersonates (403 if it may not). */
  private actingAs(req: IncomingMessage, token: TokenRule): TokenRule | { refused: Record<string, unknown> } {
    const user = req.headersDistinct['impersonate-user']?.[0];
    const groups = req.headersDistinct['impersonate-group'] ?? [];
    if (user === undefined) {
      if (groups.length) return { refused: status(500, 'InternalError', 'requested impersonation of groups without a user') };
      return token;
    }
    if (!permitted(token, 'impersonate', 'users') || (groups.length && !permitted(token, 'impersonate', 'groups'))) {
      return { refused: status(403, 'Forbidden', `users "${user}" is forbidden: User "${token.user}" cannot impersonate resource "users" in API group "" at the cluster scope`) };
    }
    return this.opts.impersonated?.({ user, groups }) ?? token;
  }

  private review(kind: string, body: unknown): Record<string, unknown> | null {
    const spec = ((body as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as {
      token?: string;
      user?: string;
      groups?: string[];
      resourceAttributes?: ResourceAttributes;
    };
    if (kind === 'tokenreviews') {
      const person = this.opts.people?.[spec.token ?? ''];
      const result = person
        ? { authenticated: true, user: { username: person.username, uid: person.uid, groups: [...person.groups, 'system:authenticated'] } }
        : { authenticated: false, error: 'token not found' };
      return { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: {}, spec, status: result };
    }
    const allowed = this.opts.allows?.({ user: spec.user ?? '', groups: spec.groups ?? [] }, spec.resourceAttributes ?? {}) ?? false;
    return { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec, status: { allowed } };
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private list(kind: string, items: TestObject[], url: URL): Record<string, unknown> {
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const start = Number(url.searchParams.get('continue') ?? '0');
    const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
    const next = limit > 0 && start + limit < items.length ? String(start + limit) : undefined;
    return { kind, apiVersion: 'v1', metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) }, items: page };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        return this.send(res, 400, status(400, 'BadRequest', 'the body is not JSON'));
      }
      this.answer(req, res, body);
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const url = new URL(req.url ?? '/', this.url);
    const token = this.user(req);
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      search: url.search,
      user: token?.user ?? '',
      headers: req.headers,
      headersDistinct: req.headersDistinct as Record<string, string[]>,
      ...(body === undefined ? {} : { body }),
    });
    if (!token) return this.send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const acting = this.actingAs(req, token);
    if ('refused' in acting) return this.send(res, acting.refused.code as number, acting.refused);
    const who = acting;
    const route = this.route(req.method ?? 'GET', url.pathname);
    if (!route) return this.send(res, 404, status(404, 'NotFound', `the server could not find the requested resource`));
    const fault = this.opts.fault?.({ method: req.method ?? 'GET', path: url.pathname });
    if (fault !== undefined) return this.send(res, fault, faultStatus(fault));
    if (!permitted(who, route.verb, route.resource, route.namespace)) {
      const where = route.namespace ? ` in the namespace "${route.namespace}"` : ' at the cluster scope';
      return this.send(
        res,
        403,
        status(403, 'Forbidden', `${route.resource} is forbidden: User "${who.user}" cannot ${route.verb} resource "${route.resource}" in API group ""${where}`, { kind: route.resource }),
      );
    }
    const selector = url.searchParams.get('labelSelector');
    const pods = [...this.pods.values()];
    if (route.verb === 'list' && route.resource === 'nodes')
      return this.send(
        res,
        200,
        this.list(
          'NodeList',
          this.nodes.filter((n) => matchesSelector(n.metadata.labels, selector)),
          url,
        ),
      );
    if (route.verb === 'list') {
      const inScope = pods.filter((p) => (!route.namespace || p.metadata.namespace === route.namespace) && matchesSelector(p.metadata.labels, selector));
      return this.send(res, 200, this.list('PodList', inScope, url));
    }
    if (route.resource === 'tokenreviews' || route.resource === 'subjectaccessreviews') return this.send(res, 201, this.review(route.resource, body));
    if (route.verb === 'create') return this.createPod(res, route.namespace ?? '', body as TestObject);
    if (route.resource === 'secrets' || route.resource === 'configmaps') {
      const found = (route.resource === 'secrets' ? this.secrets : this.configMaps).get(`${route.namespace}/${route.name}`);
      return found ? this.send(res, 200, found) : this.send(res, 404, status(404, 'NotFound', `${route.resource} "${route.name}" not found`, { name: route.name, kind: route.resource }));
    }
    const key = `${route.namespace}/${route.name}`;
    const pod = this.pods.get(key);
    if (!pod) return this.send(res, 404, status(404, 'NotFound', `pods "${route.name}" not found`, { name: route.name, kind: 'pods' }));
    if (route.verb === 'delete') {
      this.pods.delete(key);
      return this.send(res, 200, pod);
    }
    this.send(res, 200, pod);
    // Scheduled once someone looked: the next read finds it Running.
    if (pod.status?.phase === 'Pending' && !this.opts.unschedulable?.(pod)) pod.status = { ...pod.status, phase: 'Running', podIP: pod.spec?.hostNetwork ? '192.0.2.1' : undefined };
  }

  private createPod(res: ServerResponse, namespace: string, body: TestObject): void {
    const name = body.metadata.name ?? `${body.metadata.generateName ?? 'pod-'}${(++this.counter).toString(36).padStart(5, 'x')}`;
    const pod: TestObject = { ...body, metadata: { ...body.metadata, name, namespace }, status: { phase: 'Pending' } };
    this.addPod(pod);
    this.created.push(name);
    this.send(res, 201, this.pods.get(`${namespace}/${name}`));
  }

  private route(method: string, pathname: string): { verb: string; resource: string; namespace?: string; name?: string } | null {
    if (method === 'GET' && pathname === '/api/v1/nodes') return { verb: 'list', resource: 'nodes' };
    if (method === 'GET' && pathname === '/api/v1/pods') return { verb: 'list', resource: 'pods' };
    if (method === 'POST' && pathname === '/apis/authentication.k8s.io/v1/tokenreviews') return { verb: 'create', resource: 'tokenreviews' };
    if (method === 'POST' && pathname === '/apis/authorization.k8s.io/v1/subjectaccessreviews') return { verb: 'create', resource: 'subjectaccessreviews' };
    const stored = /^\/api\/v1\/namespaces\/([^/]+)\/(secrets|configmaps)\/([^/]+)$/.exec(pathname);
    if (stored && method === 'GET') return { verb: 'get', resource: stored[2], namespace: stored[1], name: stored[3] };
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?(\/exec)?$/.exec(pathname);
    if (!m) return null;
    const [, namespace, name, exec] = m;
    if (exec) return { verb: 'create', resource: 'pods/exec', namespace, name };
    if (!name) return method === 'POST' ? { verb: 'create', resource: 'pods', namespace } : method === 'GET' ? { verb: 'list', resource: 'pods', namespace } : null;
    if (method === 'GET') return { verb: 'get', resource: 'pods', namespace, name };
    if (method === 'DELETE') return { verb: 'delete', resource: 'pods', namespace, name };
    return null;
  }

  private refuse(socket: Socket, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${code} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  }

  private upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.url);
    const token = this.user(req);
    this.requests.push({
      method: 'EXEC',
      path: url.pathname,
      search: url.search,
      user: token?.user ?? '',
      headers: req.headers,
      headersDistinct: req.headersDistinct as Record<string, string[]>,
      resumedTls: socket instanceof TLSSocket && socket.isSessionReused(),
    });
    if (!token) return this.refuse(socket, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const acting = this.actingAs(req, token);
    if ('refused' in acting) return this.refuse(socket, acting.refused.code as number, acting.refused);
    const who = acting;
    const route = this.route('GET', url.pathname);
    if (!route || route.resource !== 'pods/exec') return this.refuse(socket, 404, status(404, 'NotFound', 'not found'));
    const fault = this.opts.fault?.({ method: 'EXEC', path: url.pathname });
    if (fault !== undefined) return this.refuse(socket, fault, faultStatus(fault));
    // Exec over WebSocket is authorised as get pods/exec, and from 1.35 also create.
    if (!permitted(who, 'create', 'pods/exec', route.namespace) || !permitted(who, 'get', 'pods/exec', route.namespace)) {
      return this.refuse(
        socket,
        403,
        status(403, 'Forbidden', `pods "${route.name}" is forbidden: User "${who.user}" cannot create resource "pods/exec" in API group "" in the namespace "${route.namespace}"`),
      );
    }
    const pod = this.pods.get(`${route.namespace}/${route.name}`);
    const prefix = pod && pod.status?.phase === 'Running' ? this.opts.execPrefix(pod) : null;
    if (!pod || !prefix) return this.refuse(socket, 404, status(404, 'NotFound', `pods "${route.name}" not found`));
    const command = url.searchParams.getAll('command');
    wss.handleUpgrade(req, socket, head, (ws) => this.exec(ws, pod, [...prefix, ...command]));
  }

  private exec(ws: WebSocket, pod: TestObject, argv: string[]): void {
    this.execProtocols.push(ws.protocol);
    const behaviour = this.opts.execBehaviour?.(pod) ?? { kind: 'run' };
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'reply') return this.reply(ws, behaviour.reply);
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    child.stdin.on('error', () => undefined);
    // Channel 0 is the command's stdin; on v5, [255, 0] closes it.
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0) child.stdin.write(data.subarray(1));
      else if (data[0] === 255 && data[1] === 0 && ws.protocol === 'v5.channel.k8s.io') child.stdin.end();
    });
    let sent = 0;
    const frame = (channel: number, data: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
    };
    child.stdout.on('data', (data: Buffer) => {
      if (behaviour.kind === 'cut' && sent + data.length >= behaviour.afterBytes) {
        frame(STDOUT, data.subarray(0, behaviour.afterBytes - sent));
        child.kill('SIGKILL');
        ws.terminate();
        return;
      }
      sent += data.length;
      frame(STDOUT, data);
    });
    child.stderr.on('data', (data: Buffer) => frame(STDERR, data));
    child.on('close', (code) => {
      this.children.delete(child);
      this.exited(ws, code);
    });
    ws.on('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
  }

  /** The status channel's last word on an exec, then the close. */
  private exited(ws: WebSocket, code: number | null): void {
    if (ws.readyState !== ws.OPEN) return;
    const result =
      code === 0
        ? { metadata: {}, status: 'Success' }
        : {
            metadata: {},
            status: 'Failure',
            message: `command terminated with non-zero exit code: exit code ${code ?? 137}`,
            reason: 'NonZeroExitCode',
            details: { causes: [{ reason: 'ExitCode', message: String(code ?? 137) }] },
          };
    ws.send(Buffer.concat([Buffer.from([STATUS]), Buffer.from(JSON.stringify(result))]));
    ws.close(1000);
  }

  /** An exec answered without a process; each write waits until the frame is handed to the socket. */
  private reply(ws: WebSocket, reply: (write: ExecWrite) => Promise<number>): void {
    const write: ExecWrite = (data) =>
      new Promise((resolve) => {
        if (ws.readyState !== ws.OPEN) return resolve(false);
        ws.send(Buffer.concat([Buffer.from([STDOUT]), data]), (error) => resolve(!error));
      });
    void reply(write).then((code) => this.exited(ws, code));
  }
}
