'use client';

import { useEffect, useState } from 'react';

/** Determinate when a fraction is known, otherwise a moving bar with the elapsed time. */
export function Progress({ label, fraction }: { label: string; fraction?: number }) {
  const [started] = useState(() => Date.now());
  const [now, setNow] = useState(started);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.round((now - started) / 1000);
  return (
    <div role="status" aria-live="polite" className="space-y-1 text-sm" data-testid="progress">
      <div className="h-1.5 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800">
        {fraction === undefined ? <div className="progress-indeterminate h-full w-1/3 bg-sky-600" /> : <progress className="sr-only" value={fraction} max={1} />}
        {fraction !== undefined && <div className={`h-full bg-sky-600 ${WIDTHS[Math.round(fraction * 10)]}`} />}
      </div>
      <p className="text-slate-500">
        {label} {fraction !== undefined ? `${Math.round(fraction * 100)}%` : ''} · {seconds}s
      </p>
    </div>
  );
}

const WIDTHS = ['w-0', 'w-[10%]', 'w-[20%]', 'w-[30%]', 'w-[40%]', 'w-1/2', 'w-[60%]', 'w-[70%]', 'w-[80%]', 'w-[90%]', 'w-full'];
