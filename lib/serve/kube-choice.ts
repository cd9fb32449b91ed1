/**
 * What a dashboard request may choose for a cluster capture. Never a kubeconfig path: the server's own
 * kubeconfig (KUBECONFIG, ~/.kube/config or its service account) is the only one it reads.
 */
import { z } from 'zod';
import { KUBE_MODES } from '@/lib/kube/modes';
import type { KubeSourceOptions } from '@/lib/kube/source';
import type { Impersonation } from '@/lib/auth/impersonation';
import { requestedPodVmSsh } from '@/lib/kube/ssh-settings';
import { isObjectRef, OBJECT_REF_MAX, objectRefRule, SSH_USER } from '@/lib/kube/object-ref';

const objectName = z.string().min(1).max(253);

/** `NAMESPACE/NAME` of an object in the cluster: the only way a request points at a key or a known_hosts. */
function clusterObject(kind: string) {
  return z.string().max(OBJECT_REF_MAX).refine(isObjectRef, objectRefRule(kind));
}

/**
 * SSH to pod VMs as a dashboard request may choose it: a key Secret, known_hosts from that Secret or a ConfigMap,
 * a user; skipping host key checks only when asked for in so many words. Never a key or a path.
 */
const podVmSshChoice = z
  .object({
    keySecret: clusterObject('Secret'),
    knownHostsConfigMap: clusterObject('ConfigMap').optional(),
    user: z.string().regex(SSH_USER, "is a login name: lowercase letters, digits, '_' and '-', at most 32").optional(),
    skipHostKeyCheck: z.literal(true, { errorMap: () => ({ message: 'is true or left out' }) }).optional(),
  })
  .strict()
  .refine((c) => !(c.skipHostKeyCheck && c.knownHostsConfigMap), { message: 'cannot be given with a known_hosts ConfigMap', path: ['skipHostKeyCheck'] });

const kubeChoiceFields = z
  .object({
    context: objectName.optional(),
    mode: z.enum(KUBE_MODES).optional(),
    podVms: z.boolean().optional(),
    nodes: z.array(objectName).max(5000).optional(),
    selector: z.string().max(1000).optional(),
    podVmSsh: podVmSshChoice.optional(),
  })
  .strict();

export const kubeChoice = kubeChoiceFields.refine((c) => !c.podVmSsh || c.podVms === true, { message: 'needs podVms: true', path: ['podVmSsh'] });

export type KubeChoice = z.infer<typeof kubeChoice>;

const SSH_PARAM = 'podVmSsh.';

/** `1` is how a query string says yes; anything else stays text, for the schema to refuse by name. */
function flag(value: string | undefined, no?: boolean): boolean | string | undefined {
  if (value === '1') return true;
  return value === '0' && no !== undefined ? no : value;
}

/**
 * A choice spelled in a query string (`context`, `mode`, `podVms=1`, `nodes=a,b`, `selector`, `podVmSsh.keySecret`, …)
 * as the object a JSON body holds. Other top-level parameters are not the choice's and are left out, but every
 * `podVmSsh.*` is kept, so that one naming a key or a file is refused as in a body.
 */
function choiceFromQuery(query: Record<string, string>): Record<string, unknown> {
  const { context, mode, podVms, nodes, selector } = query;
  const ssh = Object.entries(query)
    .filter(([name]) => name.startsWith(SSH_PARAM))
    .map(([name, value]) => [name.slice(SSH_PARAM.length), name === `${SSH_PARAM}skipHostKeyCheck` ? flag(value) : value]);
  const given = { context, mode, podVms: flag(podVms, false), nodes: nodes?.split(',').filter(Boolean), selector, podVmSsh: ssh.length ? Object.fromEntries(ssh) : undefined };
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}

/**
 * A cluster choice from a query string (GET /api/live), checked by the same schema as a JSON body; a refused
 * parameter is named by its path, which is its name in the query (`podVmSsh.keySecret`).
 */
export const kubeChoiceQuery = z.record(z.string()).transform(choiceFromQuery).pipe(kubeChoice);

/**
 * The capture options of a choice; `impersonate` is the signed-in person a cluster capture acts as, if any. Without
 * an SSH choice the server's own SSH settings (its environment) apply.
 */
export function kubeOptions(choice: KubeChoice | undefined, impersonate?: Impersonation): KubeSourceOptions {
  const { podVmSsh, ...rest } = choice ?? {};
  return { ...rest, ...(podVmSsh ? { podVmSsh: requestedPodVmSsh(podVmSsh) } : {}), ...(impersonate ? { impersonate } : {}) };
}
