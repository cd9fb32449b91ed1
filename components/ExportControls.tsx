'use client';

import { useState } from 'react';
import { snapshotExportUrls } from './snapshot-urls';
import { useViewState } from './useViewState';

/** Browsers refuse canvases much larger than this on a side; big pictures are scaled down to fit. */
const MAX_SIDE = 16_384;
const PNG_SCALE = 2;

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('the picture could not be drawn'));
    image.src = url;
  });
}

/** The view's SVG drawn onto a canvas at twice its size: a PNG for chats and tickets that do not show SVG. */
async function svgToPng(svgUrl: string): Promise<Blob> {
  const response = await fetch(svgUrl);
  if (!response.ok) throw new Error(`graph.svg answered ${response.status}`);
  const objectUrl = URL.createObjectURL(new Blob([await response.text()], { type: 'image/svg+xml' }));
  try {
    const image = await loadImage(objectUrl);
    const scale = Math.min(PNG_SCALE, MAX_SIDE / image.naturalWidth, MAX_SIDE / image.naturalHeight);
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.floor(image.naturalWidth * scale));
    canvas.height = Math.max(1, Math.floor(image.naturalHeight * scale));
    const context = canvas.getContext('2d');
    if (!context) throw new Error('this browser cannot draw on a canvas');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the PNG could not be encoded'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(objectUrl);
  }
}

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** report.md, graph.svg and a PNG of the view the URL names (host, focus, rules). */
export function ExportControls({ id }: { id: string }) {
  const [state] = useViewState();
  const urls = snapshotExportUrls(id, state);
  const [png, setPng] = useState<{ busy: boolean; error?: string }>({ busy: false });

  async function savePng() {
    setPng({ busy: true });
    try {
      download(await svgToPng(urls.svg), `tunnelscope-${id}${state.host ? `-${state.host}` : ''}.png`);
      setPng({ busy: false });
    } catch (error) {
      setPng({ busy: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  return (
    <div className="flex gap-1" data-testid="export-controls">
      <a className="btn" href={urls.report} data-testid="export-report">
        report.md
      </a>
      <a className="btn" href={urls.svg} target="_blank" rel="noopener" data-testid="export-svg">
        graph.svg
      </a>
      <button type="button" className="btn" data-testid="export-png" disabled={png.busy} onClick={() => void savePng()}>
        {png.busy ? 'PNG…' : 'PNG'}
      </button>
      {png.error && (
        <span role="alert" className="self-center text-xs text-sev-critical">
          PNG failed: {png.error}
        </span>
      )}
    </div>
  );
}
