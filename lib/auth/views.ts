/**
 * Which page views are on record lately. Every change of a snapshot page's view (selection, filters, host) renders
 * the page again on the server; one entry per person, snapshot and way in within VIEW_WINDOW_MS says who looked,
 * without an entry per click. Kept apart from the audit log's writing (audit.ts), so that the front thread can tell
 * without the database whether a view still needs recording.
 */
import { learned, type Caller } from './identity';
import type { ShareClaims } from './signed';

const VIEW_WINDOW_MS = 10 * 60_000;
const VIEWS_HELD = 10_000;
const recentViews = new Map<string, number>();

export interface AuditEvent {
  target?: string;
  hosts?: string[];
  detail?: Record<string, string | number | boolean>;
  /** The share link the caller came through, if any: its creator and expiry go on record. */
  share?: ShareClaims;
}

export type ViewAction = 'snapshot.view' | 'share.view';

export function viewKey(caller: Caller, action: ViewAction, event: AuditEvent & { target: string }): string {
  return [caller.user, caller.via, caller.address ?? '', action, event.target, event.share?.nonce ?? ''].join('\u0000');
}

export function recordedLately(key: string, now: number): boolean {
  const last = recentViews.get(key);
  return last !== undefined && now - last < VIEW_WINDOW_MS;
}

/** Notes the view of `key` as on record at `now`, as the audit log writes it or as another thread reports it. */
export function noteView(key: string, now: number): void {
  if (recentViews.size > VIEWS_HELD) recentViews.clear();
  recentViews.set(key, now);
}

/** Notes a view this thread puts on record, and tells those who decide elsewhere (identity.ts's learned). */
export function noteRecordedView(key: string, now: number): void {
  noteView(key, now);
  learned({ kind: 'view', key, at: now });
}

/** The views on record within the window, for a thread that starts deciding later. */
export function viewsOnRecord(now = Date.now()): [key: string, at: number][] {
  return [...recentViews].filter(([, at]) => now - at < VIEW_WINDOW_MS);
}

/** The view a page puts on record, if any: every view of the page, and of the embed only views through a share link. */
export function pageView(page: 'snapshot' | 'embed', id: string, share: ShareClaims | undefined): { action: ViewAction; event: AuditEvent & { target: string } } | undefined {
  if (page === 'snapshot') return { action: share ? 'share.view' : 'snapshot.view', event: { target: id, share } };
  return share ? { action: 'share.view', event: { target: id, share, detail: { embed: true } } } : undefined;
}

/** Whether auditPageView would put nothing on record now: the view needs none, or is on record within the window. */
export function pageViewOnRecord(page: 'snapshot' | 'embed', caller: Caller, id: string, share: ShareClaims | undefined, now = Date.now()): boolean {
  const view = pageView(page, id, share);
  return view === undefined || recordedLately(viewKey(caller, view.action, view.event), now);
}
