import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SnapshotDashboard } from '@/components/SnapshotDashboard';
import { preloadSnapshot } from '@/components/preload';

export const metadata: Metadata = { title: 'Snapshot · Tunnelscope' };

type PageProps = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SnapshotPage({ params, searchParams }: PageProps) {
  const { id } = await params;
  preloadSnapshot(id, await searchParams);
  return (
    <Suspense>
      <SnapshotDashboard id={id} />
    </Suspense>
  );
}
