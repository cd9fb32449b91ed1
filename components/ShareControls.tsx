'use client';

import { CopyButton } from './CopyButton';

/** The current view as a link, and as an iframe for runbooks (same query string on /embed). */
export function ShareControls({ id }: { id: string }) {
  const link = () => window.location.href;
  const embed = () => {
    const url = new URL(window.location.href);
    const src = `${url.origin}/embed/${encodeURIComponent(id)}${url.search}`;
    return `<iframe src="${src}" width="960" height="600" style="border:0" title="Tunnelscope snapshot ${id}"></iframe>`;
  };
  return (
    <div className="flex gap-1">
      <CopyButton text={link} label="Copy link" testId="copy-link" />
      <CopyButton text={embed} label="Copy embed" testId="copy-embed" />
    </div>
  );
}
