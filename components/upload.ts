import type { SnapshotMeta } from '@/lib/snapshot/types';
import { createdMeta } from './queries';

export type UploadBody = { kind: 'json'; text: string } | { kind: 'text'; text: string };

/** A capture bundle is JSON; anything else (collector output, a terminal transcript) goes as plain text. */
export function uploadBody(text: string): UploadBody {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const bundle: unknown = JSON.parse(trimmed);
      return { kind: 'json', text: JSON.stringify({ bundle }) };
    } catch {
      // not JSON after all: the server reads it as text
    }
  }
  return { kind: 'text', text };
}

/** POST with upload progress (fetch cannot report it). Resolves with the new snapshot's metadata. */
export function uploadSnapshot(text: string, onProgress: (fraction: number) => void): Promise<SnapshotMeta> {
  const body = uploadBody(text);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/snapshots');
    xhr.setRequestHeader('content-type', body.kind === 'json' ? 'application/json' : 'text/plain');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        // leave null
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(createdMeta(parsed));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
        return;
      }
      const error = parsed && typeof parsed === 'object' && 'error' in parsed ? (parsed as { error: unknown }).error : null;
      const message = typeof error === 'string' ? error : error && typeof error === 'object' && 'message' in error ? String(error.message) : `${xhr.status} ${xhr.statusText}`;
      reject(new Error(message));
    };
    xhr.onerror = () => reject(new Error('The upload did not reach the server.'));
    xhr.send(body.text);
  });
}
