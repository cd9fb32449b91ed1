import type { Metadata } from 'next';
import { Suspense } from 'react';
import { EmbedGraph } from '@/components/SnapshotDashboard';
import { notFound } from 'next/navigation';
import { preloadSnapshot } from '@/components/preload';
import { isSnapshotId } from '@/lib/store/ids';

export const metadata: Metadata = { title: 'Tunnelscope embed' };

/**
 * A snapshot never changes, so its page is rendered once, on the first request, and then served from Next's cache
 * like a static file; the browser reads the snapshot from the cached API. The query string (view state) is the
 * browser's business: the shell is the same for every view of one snapshot.
 */
export const dynamic = 'force-static';

export function generateStaticParams(): { id: string }[] {
  return [];
}

type PageProps = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The graph alone, for iframes; framing rules are set by the server (frame-ancestors). */
export default async function EmbedPage({ params, searchParams }: PageProps) {
  const { id } = await params;
  if (!isSnapshotId(id)) notFound();
  preloadSnapshot(id, await searchParams);
  return (
    <Suspense>
      <EmbedGraph id={id} />
    </Suspense>
  );
}
