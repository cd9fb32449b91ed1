import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SnapshotDashboard } from '@/components/SnapshotDashboard';
import { preloadSnapshot } from '@/components/preload';
import { auditView } from '@/lib/auth/audit';
import { guardPage, shareParam } from '../../../_auth/guard';

export const metadata: Metadata = { title: 'Snapshot · Tunnelscope' };

type PageProps = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SnapshotPage({ params, searchParams }: PageProps) {
  const { id } = await params;
  const search = await searchParams;
  const { caller, share } = await guardPage('viewer', { snapshot: id, share: shareParam(search) });
  await auditView(caller, share ? 'share.view' : 'snapshot.view', { target: id, share });
  preloadSnapshot(id, search);
  return (
    <Suspense>
      <SnapshotDashboard id={id} />
    </Suspense>
  );
}
