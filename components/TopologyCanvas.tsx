'use client';

/**
 * The one owner of the Cytoscape instance. It mounts once, then applies element diffs in `cy.batch()`;
 * the layout re-runs only when the set of element ids changes, so a selection or a class change keeps
 * positions. Cytoscape extensions are registered here and nowhere else.
 */
import cytoscape, { type Core, type ElementDefinition, type LayoutOptions as CyLayoutOptions } from 'cytoscape';
import elk from 'cytoscape-elk';
import { useEffect, useRef } from 'react';
import type { GraphElement, GraphLevel } from '@/lib/graph/elements';
import { layoutFor } from '@/lib/graph/layout';
import { buildStylesheet, type Theme } from '@/lib/graph/style';

let registered = false;
function registerExtensions(): void {
  if (registered) return;
  cytoscape.use(elk);
  registered = true;
}

export interface TopologyCanvasProps {
  elements: GraphElement[];
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
    registerExtensions();
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

  const { elements, level } = props;
  useEffect(() => {
    const cy = cyRef.current;
    const box = container.current;
    if (!cy || !box) return;
    if (!applyElements(cy, elements)) return;
    layoutDone.current = false;
    box.dataset.ready = 'false';
    const layout = cy.layout({
      ...layoutFor(level, cy.nodes().length),
      stop: () => {
        layoutDone.current = true;
        box.dataset.ready = 'true';
        applyViewport(cy, callbacks.current.focus, callbacks.current.selected);
      },
    } as CyLayoutOptions);
    layout.run();
  }, [elements, level]);

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
    <div
      ref={container}
      className="h-full w-full"
      role="img"
      aria-label={props.label ?? 'Network topology graph; the device list next to it holds the same elements'}
      data-testid="topology-canvas"
      data-level={level}
      data-count={elements.length}
    />
  );
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
  if (eles.empty()) return;
  cy.fit(eles, 80);
  if (cy.zoom() <= MAX_FOCUS_ZOOM) return;
  const box = eles.boundingBox();
  cy.zoom({ level: MAX_FOCUS_ZOOM, position: { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 } });
}
