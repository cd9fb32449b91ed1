import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LiveView } from '@/components/LiveView';
import { guardPage } from '../../_auth/guard';

export const metadata: Metadata = { title: 'Live · Tunnelscope' };

export default async function LivePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await guardPage('collector', { collects: true });
  const { source } = await searchParams;
  return (
    <Suspense>
      <LiveView source={source === 'local' ? 'local' : 'lab'} />
    </Suspense>
  );
}
