import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SnapshotDashboard } from '@/components/SnapshotDashboard';

export const metadata: Metadata = { title: 'Snapshot · Tunnelscope' };

export default async function SnapshotPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense>
      <SnapshotDashboard id={id} />
    </Suspense>
  );
}
