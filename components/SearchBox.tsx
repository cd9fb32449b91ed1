'use client';

import { useState } from 'react';
import type { SearchHit } from '@/lib/view/search';

export interface SearchBoxProps {
  /** Undefined while the search runs. */
  hits?: SearchHit[];
  error?: Error | null;
  query?: string;
  onQuery(q: string): void;
  onPick(hit: SearchHit): void;
}

export function SearchBox({ hits, error, query, onQuery, onPick }: SearchBoxProps) {
  const [draft, setDraft] = useState(query ?? '');
  const [seen, setSeen] = useState(query);
  if (seen !== query) {
    setSeen(query);
    setDraft(query ?? '');
  }
  return (
    <div className="relative">
      <form
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          onQuery(draft.trim());
        }}
      >
        <label className="sr-only" htmlFor="topology-search">
          Search by pod name, IP, MAC or device name
        </label>
        <input
          id="topology-search"
          className="input w-64"
          data-testid="search-input"
          type="search"
          placeholder="Pod, IP, MAC or device…"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
      </form>
      {query && (
        <div className="absolute z-20 mt-1 max-h-72 w-[28rem] overflow-y-auto panel shadow-lg" data-testid="search-results" aria-live="polite">
          {error ? (
            <p className="p-2 text-sm text-sev-warning" role="status">
              Search failed: {error.message}
            </p>
          ) : hits === undefined ? (
            <p className="p-2 text-sm text-slate-600 dark:text-slate-400" role="status">
              Searching…
            </p>
          ) : hits.length === 0 ? (
            <p className="p-2 text-sm text-slate-600 dark:text-slate-400">Nothing matches “{query}”.</p>
          ) : (
            <ul>
              {hits.map((hit) => (
                <li key={`${hit.id}-${hit.match}`}>
                  <button type="button" data-testid="search-hit" data-id={hit.id} className="w-full px-2 py-1 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800" onClick={() => onPick(hit)}>
                    <span className="font-medium">{hit.label}</span>{' '}
                    <span className="text-xs text-slate-600 dark:text-slate-400">
                      {hit.match}: {hit.text}
                    </span>
                    <span className="mono block truncate text-slate-600 dark:text-slate-400">{hit.host}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="w-full border-t px-2 py-1 text-xs text-slate-600 dark:text-slate-400 dark:border-slate-800" onClick={() => onQuery('')}>
            Close results
          </button>
        </div>
      )}
    </div>
  );
}
