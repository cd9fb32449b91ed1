'use client';

import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobEvent, JobSnapshot, JobStatus } from '@/lib/sources/collection-progress';
import { collectionStatusQuery, deleteJson, getJson, postCollection, type CollectionRequest } from './queries';

/** A job's status with one more event applied: what the stream says, kept in the shape polling answers with. */
export function applyEvent(status: JobStatus, event: JobEvent): JobStatus {
  if (event.seq <= status.seq) return status;
  const next = { ...status, seq: event.seq };
  switch (event.type) {
    case 'hosts':
      return { ...next, phase: 'collecting', hosts: event.hosts, total: event.hosts.length };
    case 'host': {
      const known = status.hosts.some((h) => h.name === event.host.name);
      const hosts = known ? status.hosts.map((h) => (h.name === event.host.name ? event.host : h)) : [...status.hosts, event.host];
      return { ...next, hosts, finished: event.finished, total: event.total };
    }
    case 'phase':
      return { ...next, phase: event.phase, cancelled: event.cancelled };
    case 'end': {
      const { seq: _seq, type: _type, ...outcome } = event;
      return { ...next, ...outcome, phase: 'ended' };
    }
  }
}

export interface Collection {
  /** The job while it runs and after it ended; undefined before the first start. */
  status?: JobStatus;
  /** Starting failed (refused, rate limited): the job never began. */
  error?: Error;
  starting: boolean;
  running: boolean;
  cancelling: boolean;
  start(request: CollectionRequest): void;
  cancel(): void;
}

/** Where a tab remembers the job each panel started, so that leaving the page and coming back finds it again. */
const memoryKey = (panel: string) => `tunnelscope:collection:${panel}`;

function remembered(panel: string): string | undefined {
  try {
    return sessionStorage.getItem(memoryKey(panel)) ?? undefined;
  } catch {
    return undefined;
  }
}

function remember(panel: string, id: string | undefined): void {
  try {
    if (id) sessionStorage.setItem(memoryKey(panel), id);
    else sessionStorage.removeItem(memoryKey(panel));
  } catch {
    // Storage refused (private mode, quota): the job still runs; it just is not found again after leaving.
  }
}

/**
 * Starts a collection job and follows it: its events from the server's stream, or its status every second where
 * the stream cannot be opened or was cut for good. `onStored` hears of the snapshot of a collection that was not cancelled.
 * Leaving the page does not stop the job on the server: `panel` names where it was started, and coming back there
 * in the same tab follows it again (or shows how it ended).
 */
export function useCollection(onStored: (snapshot: JobSnapshot) => void, panel: string): Collection {
  const [status, setStatus] = useState<JobStatus | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [polling, setPolling] = useState(false);
  const stored = useRef<string | undefined>(undefined);
  const id = status?.id;
  const ended = status?.phase === 'ended';

  useEffect(() => {
    const earlier = remembered(panel);
    if (!earlier) return;
    let gone = false;
    getJson<JobStatus>(`/api/collections/${encodeURIComponent(earlier)}`).then(
      (job) => {
        if (gone) return;
        // A job that ended while the page was away is shown with its link, not jumped to.
        if (job.phase === 'ended') stored.current = job.snapshot?.id;
        setStatus((current) => current ?? job);
      },
      // Ended long ago, or the server restarted: nothing to follow.
      () => remember(panel, undefined),
    );
    return () => {
      gone = true;
    };
  }, [panel]);

  useEffect(() => {
    if (id && !ended) remember(panel, id);
  }, [panel, id, ended]);

  useEffect(() => {
    if (!id || ended || polling) return;
    if (typeof EventSource === 'undefined') {
      setPolling(true);
      return;
    }
    const source = new EventSource(`/api/collections/${encodeURIComponent(id)}/events`);
    source.onmessage = (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as JobEvent;
      setStatus((current) => (current ? applyEvent(current, event) : current));
      if (event.type === 'end') source.close();
    };
    // A cut connection is retried by the browser itself (readyState CONNECTING); a refused one is closed for good.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setPolling(true);
    };
    return () => source.close();
  }, [id, ended, polling]);

  const polled = useQuery({ ...collectionStatusQuery(id ?? ''), enabled: polling && !!id && !ended });
  useEffect(() => {
    if (polled.data) setStatus((current) => (current && polled.data.seq > current.seq ? polled.data : current));
  }, [polled.data]);

  useEffect(() => {
    const snapshot = status?.snapshot;
    if (ended) remember(panel, undefined);
    if (ended && snapshot && !status.cancelled && stored.current !== snapshot.id) {
      stored.current = snapshot.id;
      onStored(snapshot);
    }
  }, [ended, status, onStored, panel]);

  const start = useCallback((request: CollectionRequest) => {
    setError(undefined);
    setStatus(undefined);
    setPolling(false);
    setCancelling(false);
    setStarting(true);
    postCollection(request)
      .then(
        (job) => setStatus(job),
        (failure: Error) => setError(failure),
      )
      .finally(() => setStarting(false));
  }, []);

  const cancel = useCallback(() => {
    if (!id) return;
    setCancelling(true);
    deleteJson(`/api/collections/${encodeURIComponent(id)}`).catch((failure: Error) => {
      setCancelling(false);
      setError(failure);
    });
  }, [id]);

  return { status, error, starting, running: starting || (!!status && !ended), cancelling: cancelling && !ended, start, cancel };
}
