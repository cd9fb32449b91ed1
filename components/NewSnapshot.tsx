'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { Progress } from './Progress';
import { postSnapshot, queryKeys } from './queries';
import { uploadSnapshot } from './upload';

export function NewSnapshot() {
  const router = useRouter();
  const client = useQueryClient();
  const [text, setText] = useState('');
  const [fraction, setFraction] = useState<number | undefined>(undefined);
  const done = (meta: SnapshotMeta) => {
    void client.invalidateQueries({ queryKey: queryKeys.snapshots() });
    router.push(`/s/${encodeURIComponent(meta.id)}`);
  };
  const lab = useMutation({ mutationFn: () => postSnapshot({ source: 'lab' }), onSuccess: done });
  const upload = useMutation({
    mutationFn: (body: string) => {
      setFraction(0);
      return uploadSnapshot(body, setFraction);
    },
    onSuccess: done,
  });
  const busy = lab.isPending || upload.isPending;

  async function readFile(file: File) {
    setText(await file.text());
  }

  return (
    <div className="space-y-4">
      <div className="space-y-2">
        <button type="button" className="btn-primary" data-testid="new-lab-snapshot" disabled={busy} onClick={() => lab.mutate()}>
          New snapshot from the lab
        </button>
        {lab.isPending && <Progress label="Collecting hosts…" />}
        {lab.error && (
          <p role="alert" className="text-sm text-sev-critical">
            {lab.error.message}
          </p>
        )}
      </div>
      <form
        className="space-y-2"
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim()) upload.mutate(text);
        }}
      >
        <label className="block text-sm font-medium" htmlFor="capture-text">
          Upload or paste a capture bundle, collector output or terminal transcript
        </label>
        <input
          type="file"
          className="block text-sm"
          data-testid="upload-file"
          accept=".json,.txt,.log,.gz,text/plain,application/json"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void readFile(file);
          }}
        />
        <textarea id="capture-text" data-testid="paste-area" className="input mono h-40 w-full" placeholder="$ ip -j -d link show …" value={text} onChange={(event) => setText(event.target.value)} />
        <button type="submit" className="btn-primary" data-testid="upload-submit" disabled={busy || !text.trim()}>
          Create snapshot
        </button>
        {upload.isPending && <Progress label={fraction !== undefined && fraction >= 1 ? 'Analysing…' : 'Uploading…'} fraction={fraction !== undefined && fraction < 1 ? fraction : undefined} />}
        {upload.error && (
          <p role="alert" className="text-sm text-sev-critical">
            {upload.error.message}
          </p>
        )}
      </form>
    </div>
  );
}
