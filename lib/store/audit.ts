/** The audit log's model: what happened, who did it, from where. Written by lib/auth, read by admins. */

export const AUDIT_ACTIONS = ['collect', 'live', 'snapshot.create', 'snapshot.view', 'snapshot.export', 'snapshot.delete', 'share.create', 'share.view', 'sign-in', 'audit.read'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntryInput {
  actor: string;
  mode: string;
  action: AuditAction;
  target?: string;
  /** Hosts (and pods, as host/pod) the action read from or concerns. */
  hosts?: string[];
  address?: string;
  detail?: Record<string, string | number | boolean>;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  mode: string;
  action: AuditAction | string;
  target?: string;
  hosts: string[];
  address?: string;
  detail?: Record<string, string | number | boolean>;
}

export interface AuditQuery {
  limit?: number;
  /** Entries strictly older than this entry id's time (the last id of the previous page). */
  before?: { at: string; id: string };
  actor?: string;
  action?: string;
}

export const DEFAULT_AUDIT_PAGE = 100;
export const MAX_AUDIT_PAGE = 1000;
