import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LiveView } from '@/components/LiveView';

export const metadata: Metadata = { title: 'Live · Tunnelscope' };

export default async function LivePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { source } = await searchParams;
  return (
    <Suspense>
      <LiveView source={source === 'local' ? 'local' : 'lab'} />
    </Suspense>
  );
}
