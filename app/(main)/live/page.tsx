import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LiveView } from '@/components/LiveView';
import { guardPage } from '../../_auth/guard';
import type { KubeChoice } from '@/components/queries';

export const metadata: Metadata = { title: 'Live · Tunnelscope' };

export default async function LivePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await guardPage('collector', { collects: true });
  const { source, context, mode, podVms } = await searchParams;
  const one = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);
  const kind = source === 'local' || source === 'kube' ? source : 'lab';
  const picked = one(mode);
  const kube: KubeChoice = { context: one(context), mode: picked === 'debug' || picked === 'cni-pod' ? picked : 'agent', podVms: one(podVms) === '1' };
  return (
    <Suspense>
      <LiveView source={kind} kube={kind === 'kube' ? kube : undefined} />
    </Suspense>
  );
}
