/** The grants of deploy/rbac.yaml, for the tests that check each mode gets the minimum it needs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import type { Grant } from './test-apiserver';

interface RoleDoc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { resources: string[]; verbs: string[] }[];
}

/** What the named Roles and ClusterRoles of deploy/rbac.yaml grant, rule by rule. */
export function grantsOf(roles: readonly string[]): Grant[] {
  const docs = loadAllYaml(readFileSync(path.join(import.meta.dirname, '..', '..', 'deploy', 'rbac.yaml'), 'utf8')) as RoleDoc[];
  return docs
    .filter((d) => (d.kind === 'Role' || d.kind === 'ClusterRole') && roles.includes(d.metadata.name))
    .flatMap((d) =>
      (d.rules ?? []).flatMap((rule) => rule.resources.flatMap((resource) => rule.verbs.map((verb): Grant => ({ verb, resource, ...(d.kind === 'Role' ? { namespace: d.metadata.namespace } : {}) })))),
    );
}
