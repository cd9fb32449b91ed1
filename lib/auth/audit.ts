/**
 * Writes the audit log: who (the person, as identified), how they came in, what they did, to which snapshot or
 * hosts, from which address. Callers pass names and ids only: no token, cookie or header value goes in.
 */
import { getStore } from '@/lib/store';
import type { AuditAction, AuditEntry, AuditEntryInput } from '@/lib/store/audit';
import type { Caller } from './identity';
import type { ShareClaims } from './signed';
import { noteRecordedView, pageView, recordedLately, viewKey, type AuditEvent, type ViewAction } from './views';

export function auditEntry(caller: Caller, action: AuditAction, event: AuditEvent = {}): AuditEntryInput {
  const detail: Record<string, string | number | boolean> = { ...event.detail };
  if (caller.email && caller.email !== caller.user) detail.email = caller.email;
  if (caller.role) detail.role = caller.role;
  if (event.share) {
    detail.sharedBy = event.share.by;
    detail.shareExpires = new Date(event.share.exp * 1000).toISOString();
  }
  const entry: AuditEntryInput = { actor: caller.user, mode: caller.via, action, hosts: event.hosts ?? [] };
  if (event.target !== undefined) entry.target = event.target;
  if (caller.address !== undefined) entry.address = caller.address;
  if (Object.keys(detail).length > 0) entry.detail = detail;
  return entry;
}

export function audit(caller: Caller, action: AuditAction, event: AuditEvent = {}): Promise<AuditEntry> {
  return getStore().recordAudit(auditEntry(caller, action, event));
}

export async function auditView(caller: Caller, action: ViewAction, event: AuditEvent & { target: string }, now = Date.now()): Promise<boolean> {
  const key = viewKey(caller, action, event);
  if (recordedLately(key, now)) return false;
  noteRecordedView(key, now);
  await audit(caller, action, event);
  return true;
}

/**
 * What opening a snapshot page puts on record: every view of the page (once per window), and of the embed only
 * views through a share link, which need no account (runbooks reload embeds all day). The pages and the front
 * server that sends their cached bytes (lib/serve/front.ts) both record through here.
 */
export async function auditPageView(page: 'snapshot' | 'embed', caller: Caller, id: string, share: ShareClaims | undefined): Promise<void> {
  const view = pageView(page, id, share);
  if (view) await auditView(caller, view.action, view.event);
}
