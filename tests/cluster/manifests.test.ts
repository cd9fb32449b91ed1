/**
 * deploy/*.yaml against the Kubernetes schemas (kubernetes-models, generated from the API's OpenAPI), and the
 * agent's shape that the kube source relies on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAllYaml } from '@kubernetes/client-node';
import { Namespace, ServiceAccount, Service, PersistentVolumeClaim } from 'kubernetes-models/v1';
import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { AGENT_NAMESPACE, AGENT_SELECTOR } from '@/lib/kube/source';
import { debugPodManifest } from '@/lib/kube/debug-pod';
import { Pod } from 'kubernetes-models/v1';

const DEPLOY = path.join(import.meta.dirname, '..', '..', 'deploy');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

function manifests(): { file: string; doc: Manifest }[] {
  return readdirSync(DEPLOY)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) => (loadAllYaml(readFileSync(path.join(DEPLOY, file), 'utf8')) as Manifest[]).filter(Boolean).map((doc) => ({ file, doc })));
}

describe('deploy manifests', () => {
  it('are all valid against the Kubernetes schemas', () => {
    const docs = manifests();
    expect(docs.length).toBeGreaterThan(10);
    for (const { file, doc } of docs) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `${file}: ${doc.apiVersion} ${doc.kind} has no schema here`).toBeDefined();
      expect(() => new Model(doc as never).validate(), `${file}: ${doc.kind} ${doc.metadata.name}`).not.toThrow();
    }
  });

  it('the schema check rejects a manifest with a wrong field type', () => {
    const agent = manifests().find((m) => m.doc.kind === 'DaemonSet')?.doc;
    const broken = JSON.parse(JSON.stringify(agent)) as { spec: { template: { spec: { hostPID: unknown } } } };
    broken.spec.template.spec.hostPID = 'yes';
    expect(() => new DaemonSet(broken as never).validate()).toThrow();
  });

  it('runs the agent where the kube source looks for it: privileged, host network and PID, run dirs read-only with host-to-container propagation', () => {
    const ds = new DaemonSet(manifests().find((m) => m.doc.kind === 'DaemonSet')?.doc as never);
    expect(ds.metadata?.namespace).toBe(AGENT_NAMESPACE);
    const [key, value] = AGENT_SELECTOR.split('=');
    expect(ds.spec?.template.metadata?.labels?.[key]).toBe(value);
    const pod = ds.spec?.template.spec;
    expect([pod?.hostNetwork, pod?.hostPID, pod?.automountServiceAccountToken]).toEqual([true, true, false]);
    expect(pod?.tolerations).toEqual([{ operator: 'Exists' }]);
    const container = pod?.containers[0];
    expect(container?.securityContext?.privileged).toBe(true);
    const mounts = Object.fromEntries((container?.volumeMounts ?? []).map((m) => [m.mountPath, `${m.readOnly ? 'ro' : 'rw'} ${m.mountPropagation ?? ''}`]));
    for (const dir of ['/run/netns', '/run/openvswitch', '/run/ovn']) expect(mounts[dir]).toBe('ro HostToContainer');
    const ns = manifests().find((m) => m.doc.kind === 'Namespace' && m.doc.metadata.name === AGENT_NAMESPACE)?.doc as unknown as { metadata: { labels: Record<string, string> } };
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  it('reads Secrets and ConfigMaps only by get, only in one namespace, and only those named', () => {
    const reads = manifests().flatMap(({ doc }) =>
      doc.kind === 'Role' || doc.kind === 'ClusterRole'
        ? ((doc.rules ?? []) as { resources: string[]; verbs: string[]; resourceNames?: string[] }[])
            .filter((r) => r.resources.some((res) => res === 'secrets' || res === 'configmaps'))
            .map((r) => ({ role: `${doc.kind} ${doc.metadata.name}`, namespace: doc.metadata.namespace, ...r }))
        : [],
    );
    expect(reads).toEqual([
      { role: 'Role tunnelscope-pod-vm-ssh-key', namespace: 'tunnelscope', apiGroups: [''], resources: ['secrets'], resourceNames: ['tunnelscope-pod-vm-ssh'], verbs: ['get'] },
      { role: 'Role tunnelscope-pod-vm-known-hosts', namespace: 'tunnelscope', apiGroups: [''], resources: ['configmaps'], resourceNames: ['tunnelscope-pod-vm-known-hosts'], verbs: ['get'] },
    ]);
  });

  it('makes debug pods the schema accepts', () => {
    expect(() => new Pod(debugPodManifest('node-a', { namespace: AGENT_NAMESPACE, image: 'busybox', lifetimeMs: 60_000 }) as never).validate()).not.toThrow();
  });

  it("switches the dashboard to the optional PostgreSQL only through the Secret postgres.yaml's database reads", () => {
    const docs = manifests();
    const dashboard = new Deployment(docs.find((m) => m.doc.kind === 'Deployment')?.doc as never);
    const url = dashboard.spec?.template.spec?.containers[0].env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
    // Optional: without the Secret the dashboard starts on its SQLite volume.
    expect(url).toEqual({ name: 'tunnelscope-postgres', key: 'url', optional: true });
    const db = new StatefulSet(docs.find((m) => m.doc.kind === 'StatefulSet')?.doc as never);
    const password = db.spec?.template.spec?.containers[0].env?.find((e) => e.name === 'POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef;
    expect(password).toMatchObject({ name: url?.name, key: 'password' });
    const service = docs.find((m) => m.doc.kind === 'Service' && m.doc.metadata.name === db.spec?.serviceName)?.doc as unknown as Service;
    expect(service.metadata?.namespace).toBe(dashboard.metadata?.namespace);
    expect(service.spec?.selector).toEqual(db.spec?.template.metadata?.labels);
    // No password in any manifest: the Secret is made by the command deploy/README.md gives.
    expect(docs.some((m) => m.doc.kind === 'Secret')).toBe(false);
    const readme = readFileSync(path.join(DEPLOY, 'README.md'), 'utf8');
    const create = /kubectl -n (\S+) create secret generic (\S+) --from-literal=password="\$password" --from-literal=url="postgres:\/\/([^:]+):\$password@([^:]+):(\d+)\/([^"]+)"/.exec(readme);
    expect(create?.slice(1)).toEqual([
      dashboard.metadata?.namespace,
      url?.name,
      db.spec?.template.spec?.containers[0].env?.find((e) => e.name === 'POSTGRES_USER')?.value,
      service.metadata?.name,
      String(service.spec?.ports?.[0].port),
      db.spec?.template.spec?.containers[0].env?.find((e) => e.name === 'POSTGRES_DB')?.value,
    ]);
  });

  it("the READMEs' install commands apply every manifest, each file that exists, in an order that works", () => {
    const files = readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml'));
    for (const readme of [path.join(DEPLOY, 'README.md'), path.join(DEPLOY, '..', 'README.md')]) {
      const applied = [...readFileSync(readme, 'utf8').matchAll(/^kubectl apply((?: -f \S+)+)$/gm)].map((m) =>
        m[1]
          .split(' -f ')
          .filter(Boolean)
          .map((f) => path.basename(f)),
      );
      expect(applied.length, readme).toBeGreaterThan(0);
      for (const f of applied.flat()) expect(files, `${readme} applies deploy/${f}`).toContain(f);
      // Namespaces come before what is made in them, within one apply or by an apply before.
      const made = new Set<string>();
      for (const batch of applied) {
        const docs = batch.flatMap((f) => manifests().filter((m) => m.file === f));
        for (const { doc } of docs) if (doc.kind === 'Namespace') made.add(doc.metadata.name);
        for (const { file, doc } of docs) if (doc.metadata.namespace) expect(made, `${file}: ${doc.kind} ${doc.metadata.name}`).toContain(doc.metadata.namespace);
      }
    }
    const deployReadme = readFileSync(path.join(DEPLOY, 'README.md'), 'utf8');
    for (const f of files) expect(deployReadme, `deploy/README.md says how to apply ${f}`).toMatch(new RegExp(`^kubectl apply .*-f deploy/${f.replace('.', '\\.')}`, 'm'));
  });
});
