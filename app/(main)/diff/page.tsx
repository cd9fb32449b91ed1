import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DiffView } from '@/components/DiffView';
import { guardPage } from '../../_auth/guard';

export const metadata: Metadata = { title: 'Compare snapshots · Tunnelscope' };

export default async function DiffPage() {
  await guardPage('viewer');
  return (
    <Suspense>
      <DiffView />
    </Suspense>
  );
}
