import type { Metadata } from 'next';
import { Suspense } from 'react';
import { EmbedGraph } from '@/components/SnapshotDashboard';

export const metadata: Metadata = { title: 'Tunnelscope embed' };

/** The graph alone, for iframes; framing rules are set by the server (frame-ancestors). */
export default async function EmbedPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense>
      <EmbedGraph id={id} />
    </Suspense>
  );
}
