import type { Metadata } from 'next';
import { Suspense } from 'react';
import { EmbedGraph } from '@/components/SnapshotDashboard';
import { preloadSnapshot } from '@/components/preload';

export const metadata: Metadata = { title: 'Tunnelscope embed' };

type PageProps = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The graph alone, for iframes; framing rules are set by the server (frame-ancestors). */
export default async function EmbedPage({ params, searchParams }: PageProps) {
  const { id } = await params;
  preloadSnapshot(id, await searchParams);
  return (
    <Suspense>
      <EmbedGraph id={id} />
    </Suspense>
  );
}
