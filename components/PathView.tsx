'use client';

/**
 * The path view: the hops of a packet left to right in the order it takes them, in bands by host and namespace,
 * each kind of hop marked, the broken hop red with its reason, what the capture does not hold dashed. Plain
 * boxes that wrap onto the next row on a narrow screen, so nothing overlaps and nothing scrolls sideways.
 */
import { useEffect, useRef } from 'react';
import type { HopKind, HopLink, PathBand, PathHop, PathView as PathModel } from '@/lib/snapshot/path';

/** A word and a glyph per kind, so kinds differ without colour too. Literal classes for Tailwind's scanner. */
const KIND: Record<HopKind, { word: string; glyph: string; box: string }> = {
  route: { word: 'route', glyph: '↦', box: 'border-slate-400 dark:border-slate-500' },
  bridge: { word: 'bridge', glyph: '▦', box: 'border-green-700 dark:border-green-500' },
  'bridge-port': { word: 'bridge port', glyph: '▫', box: 'border-green-700 dark:border-green-500' },
  veth: { word: 'veth', glyph: '⇌', box: 'border-cyan-700 dark:border-cyan-500' },
  'tc-redirect': { word: 'tc redirect', glyph: '↪', box: 'border-orange-700 dark:border-orange-500' },
  tunnel: { word: 'tunnel', glyph: '≋', box: 'border-purple-700 dark:border-purple-400' },
  underlay: { word: 'underlay', glyph: '☁', box: 'border-slate-600 border-double dark:border-slate-400' },
  device: { word: 'device', glyph: '■', box: 'border-slate-400 dark:border-slate-500' },
  'not-captured': { word: 'not captured', glyph: '?', box: 'border-dashed border-slate-400 dark:border-slate-500' },
};

const LINK: Record<HopLink, string> = {
  bridge: 'bridge',
  veth: 'veth',
  'tc-redirect': 'tc redirect',
  tunnel: 'tunnel',
  underlay: 'underlay',
};

function Connector({ via }: { via?: HopLink }) {
  const redirect = via === 'tc-redirect';
  return (
    <span className="flex flex-col items-center px-0.5 text-slate-600 dark:text-slate-300" aria-hidden>
      <span className="text-base leading-none">{redirect ? '⇄' : '→'}</span>
      {via && <span className="text-[10px] leading-tight">{LINK[via]}</span>}
    </span>
  );
}

function Hop({ hop, onSelect }: { hop: PathHop; onSelect?(element: string, host: string): void }) {
  const kind = KIND[hop.kind];
  const broken = hop.broken;
  const tone = broken
    ? 'border-red-700 bg-red-50 text-red-900 dark:border-red-400 dark:bg-red-950 dark:text-red-100'
    : `${kind.box} bg-white dark:bg-slate-900 ${hop.kind === 'not-captured' ? 'text-slate-600 dark:text-slate-300' : ''}`;
  const body = (
    <>
      <span className="flex items-center gap-1 text-[11px] uppercase tracking-wide text-slate-600 dark:text-slate-300">
        <span aria-hidden>{kind.glyph}</span>
        {kind.word}
        {broken && <span className="font-bold text-red-700 dark:text-red-300">✖ broken</span>}
      </span>
      <span className="mono block font-semibold" data-hop-label>
        {hop.device}
      </span>
      {hop.notes.map((note, i) => (
        <span key={i} className="mono block truncate text-[10px] leading-tight text-slate-700 dark:text-slate-300" title={note}>
          {note}
        </span>
      ))}
      {hop.reason && <span className={`block text-xs ${broken ? 'font-semibold text-red-800 dark:text-red-200' : ''}`}>{hop.reason}</span>}
    </>
  );
  return (
    <div
      className={`min-w-0 max-w-full break-words rounded border-2 px-1.5 py-0.5 text-left text-sm sm:max-w-[12rem] ${tone}`}
      data-hop={hop.device}
      data-kind={hop.kind}
      data-broken={broken ? 'true' : undefined}
    >
      {onSelect && hop.element ? (
        <button type="button" className="block w-full text-left" onClick={() => onSelect(hop.element, hop.host)}>
          {body}
        </button>
      ) : (
        body
      )}
    </div>
  );
}

function Band({ band, first, onSelect }: { band: PathBand; first: boolean; onSelect?(element: string, host: string): void }) {
  return (
    <li className="flex min-w-0 max-w-full items-center gap-1">
      {!first && <Connector via={band.hops[0]?.via} />}
      <div className="min-w-0 max-w-full rounded border border-slate-300 bg-slate-50 p-1.5 dark:border-slate-700 dark:bg-slate-800/60" data-band={band.label}>
        {/* w-0 min-w-full: the band is as wide as its hops, a longer name is cut (whole on hover). */}
        <p className="mb-1 w-0 min-w-full truncate text-xs font-medium text-slate-700 dark:text-slate-200" title={band.label} data-band-label>
          {band.label}
        </p>
        <ol className="flex flex-wrap items-center gap-1">
          {band.hops.map((hop, i) => (
            <li key={i} className="flex min-w-0 max-w-full items-center gap-1">
              {i > 0 && <Connector via={hop.via} />}
              <Hop hop={hop} onSelect={onSelect} />
            </li>
          ))}
        </ol>
      </div>
    </li>
  );
}

export interface PathViewProps {
  path: PathModel | null | undefined;
  loading?: boolean;
  error?: Error | null;
  onSelect?(element: string, host: string): void;
}

function summary(path: PathModel): string {
  if (path.ok) return `${path.from} → ${path.to}: delivered`;
  const broken = path.hops.find((h) => h.broken);
  if (broken) return `Broken at ${broken.device}${broken.host ? ` on ${broken.host}` : ''}`;
  return 'The path leaves what the capture holds';
}

/**
 * Scrolls the box that holds the path (never the page) until the broken hop is in it: on a wide screen that box
 * is shorter than a path whose bands wrap, and the hop that matters is the one a reader must not have to look for.
 */
function revealBroken(section: HTMLElement | null): void {
  const box = section?.parentElement;
  const hop = section?.querySelector<HTMLElement>('[data-broken="true"]');
  if (!box || !hop || box.scrollHeight <= box.clientHeight) return;
  const below = hop.getBoundingClientRect().bottom - box.getBoundingClientRect().bottom;
  if (below > 0) box.scrollTop += below + 8;
}

export function PathView({ path, loading, error, onSelect }: PathViewProps) {
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    if (loading || !path) return;
    const here = section.current;
    revealBroken(here);
    const box = here?.parentElement;
    if (!here || !box || typeof ResizeObserver === 'undefined') return;
    // The panels around the path settle after it (the graph, the findings, fonts) and may resize its box: the hop is
    // revealed again until the reader moves the box themselves.
    const resized = new ResizeObserver(() => revealBroken(here));
    resized.observe(box);
    resized.observe(here);
    const readerMoves = ['wheel', 'touchstart', 'pointerdown', 'keydown'] as const;
    const stop = () => resized.disconnect();
    for (const kind of readerMoves) box.addEventListener(kind, stop, { once: true, passive: true });
    return () => {
      resized.disconnect();
      for (const kind of readerMoves) box.removeEventListener(kind, stop);
    };
  }, [loading, path]);
  return (
    <section ref={section} className="panel min-w-0" aria-label="Packet path" data-path-view data-ready={loading ? 'false' : 'true'}>
      <h2 className="panel-title flex flex-wrap items-baseline gap-x-2">
        <span>Packet path</span>
        {path && <span className="mono font-normal normal-case tracking-normal">{`${path.from} → ${path.to}`}</span>}
      </h2>
      <div className="p-2">
        {loading && (
          <p className="text-sm text-slate-600 dark:text-slate-300" role="status">
            Tracing the path…
          </p>
        )}
        {error && (
          <p className="text-sm text-red-700 dark:text-red-300" role="status">
            Could not trace the path: {error.message}
          </p>
        )}
        {!loading && !error && !path && <p className="text-sm text-slate-600 dark:text-slate-300">No packet path to show: pick a finding, a pod or a trace.</p>}
        {path && (
          <>
            <p className={`mb-2 text-sm font-medium ${path.ok ? 'text-green-800 dark:text-green-300' : 'text-red-800 dark:text-red-300'}`} data-testid="path-summary">
              {summary(path)}
              {path.finding && <span className="font-normal text-slate-700 dark:text-slate-300"> · {path.finding.title}</span>}
            </p>
            <ol className="flex flex-wrap items-center gap-y-2" data-testid="path-bands">
              {path.bands.map((band, i) => (
                <Band key={i} band={band} first={i === 0} onSelect={onSelect} />
              ))}
            </ol>
          </>
        )}
      </div>
    </section>
  );
}
