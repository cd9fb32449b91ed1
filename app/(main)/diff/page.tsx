import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DiffView } from '@/components/DiffView';

export const metadata: Metadata = { title: 'Compare snapshots · Tunnelscope' };

export default function DiffPage() {
  return (
    <Suspense>
      <DiffView />
    </Suspense>
  );
}
