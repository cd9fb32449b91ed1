'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { CollectionProgress } from './CollectionProgress';
import { Progress } from './Progress';
import { sourcesQuery } from './queries';
import { uploadSnapshot } from './upload';
import { useCollection } from './useCollection';
import { useStoredSnapshot } from './useStoredSnapshot';

export function NewSnapshot() {
  const done = useStoredSnapshot();
  const [text, setText] = useState('');
  const [fraction, setFraction] = useState<number | undefined>(undefined);
  // The server says what it can capture from now, in the declared order (the lab first); a cluster has its own panel, for its choices.
  const sources = useQuery(sourcesQuery());
  const offered = sources.data?.filter((s) => s.available && !s.choices) ?? [];
  const capture = useCollection(done, 'new-snapshot');
  const upload = useMutation({
    mutationFn: (body: string) => {
      setFraction(0);
      return uploadSnapshot(body, setFraction);
    },
    onSuccess: done,
  });
  const busy = capture.running || upload.isPending;

  async function readFile(file: File) {
    setText(await file.text());
  }

  return (
    <div className="space-y-4">
      <div className="space-y-2">
        {offered.length > 0 && (
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-sm">Capture now from</span>
            {offered.map((source, index) => (
              <button
                key={source.kind}
                type="button"
                className={index === 0 ? 'btn-primary' : 'btn'}
                data-testid={`new-${source.kind}-snapshot`}
                title={source.description}
                disabled={busy}
                onClick={() => capture.start({ source: source.kind })}
              >
                {source.label}
              </button>
            ))}
          </div>
        )}
        {sources.isSuccess && offered.length === 0 && <p className="text-sm text-slate-600">This server cannot capture from any source now: upload or paste a capture below.</p>}
        <CollectionProgress collection={capture} />
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
