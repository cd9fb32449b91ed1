'use client';

/**
 * The one owner of the Cytoscape instance. It mounts once, then applies element diffs in `cy.batch()`;
 * the layout re-runs only when the set of element ids changes, so a selection or a class change keeps
 * positions. Cytoscape extensions are registered here and nowhere else.
 */
import cytoscape, { type Core, type ElementDefinition, type LayoutOptions as CyLayoutOptions } from 'cytoscape';
import { useEffect, useRef } from 'react';
import type { GraphElement } from '@/lib/graph/elements';
import { type GraphLevel, layoutFor } from '@/lib/graph/layout';
import { buildStylesheet, EDGE_LABEL_CLASS, type Theme } from '@/lib/graph/style';

/**
 * ELK is most of the page's JavaScript (about 450 KB gzip), and only device-level layouts use it: it is
 * fetched the first time one is drawn, so a big snapshot's overview (a grid) never loads it.
 */
let elkRegistered: Promise<void> | undefined;
function registerElk(): Promise<void> {
  elkRegistered ??= import('cytoscape-elk').then(
    (elk) => cytoscape.use(elk.default),
    (error: unknown) => {
      elkRegistered = undefined;
      throw error;
    },
  );
  return elkRegistered;
}

export interface TopologyCanvasProps {
  elements: GraphElement[];
  /** The level's elements are still loading: keep what is drawn and say the graph is not ready. */
  pending?: boolean;
  level: GraphLevel;
  theme: Theme;
  selected?: string;
  focus: string[];
  onSelect(id: string | undefined): void;
  /** Double-click on a host: drill down into it. */
  onOpenHost?(host: string): void;
  label?: string;
}

/** Parent changes cannot be applied as data; such elements are replaced instead. */
function identity(e: GraphElement): string {
  return e.group === 'nodes' ? `${e.data.id}\u0000${e.data.parent ?? ''}` : `${e.data.id}\u0000${e.data.source}\u0000${e.data.target}`;
}

function toDefinition(e: GraphElement): ElementDefinition {
  return { group: e.group, data: { ...e.data }, classes: e.classes };
}

/** Returns true when the set of elements changed and the layout must run again. */
function applyElements(cy: Core, elements: GraphElement[]): boolean {
  const next = new Map(elements.map((e) => [identity(e), e]));
  const current = new Map<string, string>();
  cy.elements().forEach((ele) => {
    const d = ele.data() as { id: string; parent?: string; source?: string; target?: string };
    current.set(ele.isNode() ? `${d.id}\u0000${d.parent ?? ''}` : `${d.id}\u0000${d.source}\u0000${d.target}`, d.id);
  });
  let changed = false;
  cy.batch(() => {
    for (const [key, id] of current) {
      if (!next.has(key)) {
        cy.getElementById(id).remove();
        changed = true;
      }
    }
    const added: ElementDefinition[] = [];
    for (const [key, e] of next) {
      if (!current.has(key)) added.push(toDefinition(e));
      else {
        const ele = cy.getElementById(e.data.id);
        ele.data(e.data);
        ele.classes(e.classes);
      }
    }
    if (added.length > 0) {
      // Parents before children, edges last.
      cy.add([...added.filter((a) => a.group === 'nodes'), ...added.filter((a) => a.group === 'edges')]);
      changed = true;
    }
  });
  return changed;
}

export function TopologyCanvas(props: TopologyCanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const layoutDone = useRef(false);
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    const cy = cytoscape({
      container: container.current,
      style: buildStylesheet(callbacks.current.theme),
      elements: [],
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
      textureOnViewport: true,
    });
    cy.on('tap', (event) => {
      const target = event.target as Core | cytoscape.SingularElementReturnValue;
      callbacks.current.onSelect(target === cy ? undefined : (target as cytoscape.SingularElementReturnValue).id());
    });
    // An edge's label shows when it is pointed at or selected (lib/graph/style.ts): all drawn, they cross device names.
    cy.on('mouseover', 'edge', (event) => (event.target as cytoscape.EdgeSingular).addClass(EDGE_LABEL_CLASS));
    cy.on('mouseout', 'edge', (event) => (event.target as cytoscape.EdgeSingular).removeClass(EDGE_LABEL_CLASS));
    cy.on('dbltap', 'node[kind = "host"]', (event) => {
      const host = (event.target as cytoscape.NodeSingular).data('host') as string;
      callbacks.current.onOpenHost?.(host);
    });
    cyRef.current = cy;
    return () => {
      cy.destroy();
      cyRef.current = null;
    };
  }, []);

  useEffect(() => {
    cyRef.current?.style(buildStylesheet(props.theme));
  }, [props.theme]);

  // A canvas that was hidden (the phone's graph tab) or resized draws at its new size, framed as before.
  useEffect(() => {
    const box = container.current;
    if (!box || typeof ResizeObserver === 'undefined') return;
    let hidden = box.clientWidth === 0 || box.clientHeight === 0;
    const observer = new ResizeObserver(() => {
      const cy = cyRef.current;
      if (!cy) return;
      const wasHidden = hidden;
      hidden = box.clientWidth === 0 || box.clientHeight === 0;
      cy.resize();
      if (!wasHidden || hidden || !layoutDone.current) return;
      cy.fit(cy.nodes(), 24);
      applyViewport(cy, callbacks.current.focus, callbacks.current.selected);
    });
    observer.observe(box);
    return () => observer.disconnect();
  }, []);

  const { elements, level, pending } = props;
  const layoutRun = useRef(0);
  useEffect(() => {
    const cy = cyRef.current;
    const box = container.current;
    if (!cy || !box) return;
    if (pending) {
      box.dataset.ready = 'false';
      // Device levels are laid out by ELK: fetch it while their data loads, not after.
      if (level !== 'overview') registerElk().catch(() => undefined);
      return;
    }
    if (!applyElements(cy, elements)) {
      if (layoutDone.current || cy.elements().empty()) markReady(box, cy, level);
      return;
    }
    layoutDone.current = false;
    box.dataset.ready = 'false';
    const run = ++layoutRun.current;
    const options = layoutFor(level, cy.nodes().length);
    const start = () => {
      if (run !== layoutRun.current || cy.destroyed()) return;
      cy.layout({
        ...options,
        // ELK reads each device's datapath column from its data (lib/graph/layout.ts datapathLayer).
        ...(options.name === 'elk' ? { nodeLayoutOptions: (n: cytoscape.NodeSingular) => ({ 'elk.partitioning.partition': Number(n.data('layer') ?? 0) }) } : {}),
        stop: () => {
          if (run !== layoutRun.current) return;
          if (!options.fit) cy.fit(cy.nodes(), options.padding);
          layoutDone.current = true;
          markReady(box, cy, level);
          applyViewport(cy, callbacks.current.focus, callbacks.current.selected);
        },
      } as CyLayoutOptions).run();
    };
    if (options.name === 'elk') {
      registerElk().then(start, (error: unknown) => {
        box.dataset.ready = 'error';
        console.error('tunnelscope: the layout engine could not be loaded', error);
      });
    } else start();
  }, [elements, level, pending]);

  const { selected, focus } = props;
  const focusKey = focus.join(',');
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.$(':selected').unselect();
      if (selected) cy.getElementById(selected).select();
    });
    if (container.current) container.current.dataset.selected = selected ?? '';
    if (layoutDone.current) applyViewport(cy, focusKey ? focusKey.split(',') : [], selected);
  }, [selected, focusKey]);

  return (
    <div ref={container} className="h-full w-full" role="img" aria-label={props.label ?? 'Network topology graph; the device list next to it holds the same elements'} data-testid="topology-canvas" />
  );
}

/** `data-level` says what is drawn, so it changes together with `data-ready`, when the layout is done. */
function markReady(box: HTMLElement, cy: Core, level: GraphLevel): void {
  box.dataset.level = level;
  box.dataset.count = String(cy.elements().length);
  box.dataset.ready = 'true';
}

const MAX_FOCUS_ZOOM = 2.5;

/** Zoom to the focused elements (a finding), else to the selection; never closer than 2.5× so context stays. */
function applyViewport(cy: Core, focus: string[], selected?: string): void {
  const ids = focus.length > 0 ? focus : selected ? [selected] : [];
  const eles = cy.collection();
  for (const id of ids) {
    const ele = cy.getElementById(id);
    if (ele.nonempty()) eles.merge(ele.isEdge() ? ele.union(ele.connectedNodes()) : ele);
  }
  // Frame the namespaces and hosts around them too, so that their labels stay on screen.
  eles.merge(eles.nodes().ancestors());
  if (eles.empty()) return;
  cy.fit(eles, 80);
  if (cy.zoom() <= MAX_FOCUS_ZOOM) return;
  const box = eles.boundingBox();
  cy.zoom({ level: MAX_FOCUS_ZOOM, position: { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 } });
}
