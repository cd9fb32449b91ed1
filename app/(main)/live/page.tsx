import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LiveView } from '@/components/LiveView';
import { guardPage } from '../../_auth/guard';
import type { KubeChoice } from '@/components/queries';
import { isKubeMode } from '@/lib/kube/modes';
import { isLiveKind } from '@/lib/capture/source-kinds';

export const metadata: Metadata = { title: 'Live · Tunnelscope' };

export default async function LivePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await guardPage('collector', { collects: true });
  const { source, context, mode, podVms, nodes, selector } = await searchParams;
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
  };
  return (
    <Suspense>
      <LiveView source={kind} kube={kind === 'kube' ? kube : undefined} />
    </Suspense>
  );
}
