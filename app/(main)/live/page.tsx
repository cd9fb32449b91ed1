import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LiveView } from '@/components/LiveView';

export const metadata: Metadata = { title: 'Live · Tunnelscope' };

export default async function LivePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { source, context, mode, podVms } = await searchParams;
  const one = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);
  const kind = source === 'local' || source === 'kube' ? source : 'lab';
  const kube = { context: one(context), mode: one(mode) === 'debug' ? ('debug' as const) : ('agent' as const), podVms: one(podVms) === '1' };
  return (
    <Suspense>
      <LiveView source={kind} kube={kind === 'kube' ? kube : undefined} />
    </Suspense>
  );
}
