import type { Metadata } from 'next';
import { Suspense } from 'react';
import { EmbedGraph } from '@/components/SnapshotDashboard';
import { notFound } from 'next/navigation';
import { preloadSnapshot } from '@/components/preload';
import { isSnapshotId } from '@/lib/store/ids';
import { auditPageView } from '@/lib/auth/audit';
import { guardPage, shareParam } from '../../_auth/guard';

export const metadata: Metadata = { title: 'Tunnelscope embed' };

/**
 * Rendered per request: who may look is decided here (and put on the audit log), and the page's scripts carry a
 * per-request CSP nonce. The shell is small; the snapshot's data comes from the API, whose answers are computed
 * once per snapshot and cached (lib/serve/response-cache.ts).
 */
export const dynamic = 'force-dynamic';

type PageProps = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The graph alone, for iframes; framing rules are set by the server (frame-ancestors). */
export default async function EmbedPage({ params, searchParams }: PageProps) {
  const { id } = await params;
  if (!isSnapshotId(id)) notFound();
  const search = await searchParams;
  const { caller, share } = await guardPage('viewer', { snapshot: id, share: shareParam(search) });
  await auditPageView('embed', caller, id, share);
  preloadSnapshot(id, search);
  return (
    <Suspense>
      <EmbedGraph id={id} />
    </Suspense>
  );
}
