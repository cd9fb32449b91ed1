/**
 * The device graph as drawn: at the default zoom no two labels on screen overlap, and a finding's focus keeps
 * the names of the hosts and namespaces around it in view. The boxes are Cytoscape's own measures of the labels
 * it draws, read in the page; no test compares pixels.
 */
import fs from 'node:fs';
import type { Core } from 'cytoscape';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureBundle } from '@/lib/capture/types';
import { POLL, createSnapshot, graphReady, screenshot } from './browser';
import { clusterBundle } from './cluster-bundle';
import { closeSession, LAB_SAMPLE, openSession, SCREENS, type Session } from './server';

const SIZES = SCREENS.filter((s) => s.name !== 'phone');

interface LabelBox {
  what: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

interface Labels {
  /** Labels drawn at the current zoom, in rendered (canvas) pixels. */
  boxes: LabelBox[];
  width: number;
  height: number;
}

/**
 * The labels the canvas draws now. Cytoscape keeps its instance on the container (`_cyreg`, its own registry),
 * so the page needs no hook for tests. A label is drawn when it is set, its element visible, and its font at
 * the renderer's texture scale (a power of two of zoom × pixel ratio) is at least `min-zoomed-font-size`: the
 * renderer's own rule (eleTextBiggerThanMin).
 */
function drawnLabels(page: Page): Promise<Labels> {
  return page.$eval('[data-testid="topology-canvas"]', (container) => {
    const cy = (container as HTMLElement & { _cyreg: { cy: Core } })._cyreg.cy;
    const scale = 2 ** Math.ceil(Math.log2(cy.zoom() * window.devicePixelRatio));
    const boxes: LabelBox[] = [];
    cy.elements().forEach((ele) => {
      const label = String(ele.style('label') ?? '');
      if (label === '' || !ele.visible()) return;
      if (parseFloat(ele.style('font-size') as string) * scale < parseFloat(ele.style('min-zoomed-font-size') as string)) return;
      const box = ele.renderedBoundingBox({ includeLabels: true, includeNodes: false, includeEdges: false, includeOverlays: false });
      if (box.w > 0 && box.h > 0) boxes.push({ what: `${ele.id()} "${label}"`, x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2 });
    });
    return { boxes, width: container.clientWidth, height: container.clientHeight };
  });
}

function overlapping({ boxes }: Labels): string[] {
  const out: string[] = [];
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) out.push(`${a.what} × ${b.what}`);
    }
  }
  return out;
}

/** The labels of the compound nodes (hosts, namespaces) around `ids`, and whether each lies inside the canvas. */
function frameOf(page: Page, ids: string[]): Promise<{ label: string; inside: boolean }[]> {
  return page.$eval(
    '[data-testid="topology-canvas"]',
    (container, focus) => {
      const cy = (container as HTMLElement & { _cyreg: { cy: Core } })._cyreg.cy;
      const around = cy.collection();
      for (const id of focus) {
        const ele = cy.getElementById(id);
        around.merge((ele.isEdge() ? ele.connectedNodes() : ele).ancestors());
      }
      return around.map((ele) => {
        const box = ele.renderedBoundingBox({ includeLabels: true, includeNodes: false, includeEdges: false, includeOverlays: false });
        const inside = box.x1 >= 0 && box.y1 >= 0 && box.x2 <= container.clientWidth && box.y2 <= container.clientHeight;
        return { label: String(ele.style('label')), inside };
      });
    },
    ids,
  );
}

let session: Session;
let labId: string;
let bigId: string;

beforeAll(async () => {
  session = await openSession();
  const lab = JSON.parse(fs.readFileSync(LAB_SAMPLE, 'utf8')) as CaptureBundle;
  labId = (await createSnapshot(session.app.url, lab, "the lab's peer-pod incident")).id;
  bigId = (await createSnapshot(session.app.url, clusterBundle(250), '500 hosts')).id;
}, 600_000);

afterAll(() => closeSession(session));

async function open(url: string, size: { width: number; height: number }): Promise<Page> {
  const page = await session.browser.newPage({ viewport: { width: size.width, height: size.height } });
  await page.goto(url);
  return page;
}

describe('labels of the device graph', () => {
  for (const size of SIZES) {
    it(`${size.name} ${size.width}×${size.height}: no two labels overlap at the default zoom on the lab's snapshot, and a finding's focus keeps its hosts and namespaces named`, async () => {
      const page = await open(`${session.app.url}/s/${labId}`, size);
      try {
        await graphReady(page, 'full');
        await screenshot(page, `device-graph-${size.name}`);
        const labels = await drawnLabels(page);
        // Host, namespace and device names are on screen, not hidden to pass the test.
        expect(labels.boxes.length).toBeGreaterThan(10);
        expect(overlapping(labels)).toEqual([]);

        await page.locator('[data-testid="finding"][data-rule="peerpod-podvm-mac-mismatch"]').click();
        await expect.poll(() => new URL(page.url()).searchParams.get('focus') ?? '', POLL).not.toBe('');
        const focus = (new URL(page.url()).searchParams.get('focus') ?? '').split(',');
        await graphReady(page);
        await screenshot(page, `device-graph-${size.name}-focus`);
        const frame = await frameOf(page, focus);
        expect(frame.map((f) => f.label)).toEqual(expect.arrayContaining([expect.stringContaining('podvm-nginx-priv'), 'podns']));
        expect(frame.filter((f) => !f.inside).map((f) => f.label)).toEqual([]);
      } finally {
        await page.close();
      }
    }, 120_000);
  }

  it("1440×900: no two labels overlap in a 500-host snapshot's host view", async () => {
    const page = await open(`${session.app.url}/s/${bigId}?host=ocp-412-ovn-worker-1-1`, SIZES[0]);
    try {
      await graphReady(page, 'host');
      await screenshot(page, 'device-graph-big-host');
      const labels = await drawnLabels(page);
      expect(labels.boxes.length).toBeGreaterThan(5);
      expect(overlapping(labels)).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);
});
