/**
 * What a dashboard request may choose for a cluster capture. Never a kubeconfig path: the server's own
 * kubeconfig (KUBECONFIG, ~/.kube/config or its service account) is the only one it reads.
 */
import { z } from 'zod';
import { KUBE_MODES } from '@/lib/kube/modes';
import type { KubeSourceOptions } from '@/lib/kube/source';
import type { Impersonation } from '@/lib/auth/impersonation';

const objectName = z.string().min(1).max(253);

export const kubeChoice = z
  .object({
    context: objectName.optional(),
    mode: z.enum(KUBE_MODES).optional(),
    podVms: z.boolean().optional(),
    nodes: z.array(objectName).max(5000).optional(),
    selector: z.string().max(1000).optional(),
  })
  .strict();

export type KubeChoice = z.infer<typeof kubeChoice>;

/** The capture options of a choice; `impersonate` is the signed-in person a cluster capture acts as, if any. */
export function kubeOptions(choice: KubeChoice | undefined, impersonate?: Impersonation): KubeSourceOptions {
  return { ...choice, ...(impersonate ? { impersonate } : {}) };
}
