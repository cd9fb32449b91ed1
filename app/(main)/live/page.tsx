import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LiveView } from '@/components/LiveView';
import { guardPage } from '../../_auth/guard';
import type { KubeChoice, PodVmSshChoice } from '@/components/queries';
import { isKubeMode } from '@/lib/kube/modes';
import { isLiveKind } from '@/lib/capture/source-kinds';

export const metadata: Metadata = { title: 'Live · Tunnelscope' };

/**
 * SSH to pod VMs as the link spells it (`podVmSsh.keySecret=NS/NAME`, …), passed on as written: /api/live checks it
 * with the snapshot's schema, and the page shows what it refuses.
 */
function podVmSsh(param: (field: keyof PodVmSshChoice) => string | undefined): { podVmSsh?: PodVmSshChoice } {
  const keySecret = param('keySecret');
  if (keySecret === undefined) return {};
  const user = param('user');
  const knownHostsConfigMap = param('knownHostsConfigMap');
  return { podVmSsh: { keySecret, ...(user ? { user } : {}), ...(knownHostsConfigMap ? { knownHostsConfigMap } : {}), ...(param('skipHostKeyCheck') === '1' ? { skipHostKeyCheck: true } : {}) } };
}

export default async function LivePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await guardPage('collector', { collects: true });
  const params = await searchParams;
  const { source, context, mode, podVms, nodes, selector } = params;
  const one = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);
  const asked = one(source);
  const kind = asked !== undefined && isLiveKind(asked) ? asked : 'lab';
  const picked = one(mode);
  const named = one(nodes)?.split(',').filter(Boolean) ?? [];
  const kube: KubeChoice = {
    context: one(context),
    mode: isKubeMode(picked) ? picked : 'agent',
    podVms: one(podVms) === '1',
    ...(named.length ? { nodes: named } : one(selector) ? { selector: one(selector) } : {}),
    ...podVmSsh((field) => one(params[`podVmSsh.${field}`])),
  };
  return (
    <Suspense>
      <LiveView source={kind} kube={kind === 'kube' ? kube : undefined} />
    </Suspense>
  );
}
