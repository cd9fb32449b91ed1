/**
 * The one stylesheet: selectors key on element data (`device`, `kind`, `severity`) and on state classes
 * (`fault`, `trace`, `trace-break`, `dim`, and the `diff-*` marks of lib/diff/graph.ts). Edge kinds differ by colour, width
 * and arrow as well as by line style, so the graph stays readable without dashes (WebGL mode draws no dashed
 * lines, anchors.md §4).
 */
import type { StylesheetStyle } from 'cytoscape';
import type { EdgeKind } from '@/lib/topology/types';
import { DEVICE_COLOR, DEVICE_SHAPE, DIFF_COLOR, EDGE_COLOR, SELECTED_COLOR, SEVERITY_COLOR, SEVERITY_ORDER, TRACE_COLOR, type DeviceClass } from './palette';

export type Theme = 'light' | 'dark';

/** Device labels appear once they would be at least this many pixels high (labels are costly to draw). */
export const DEVICE_LABEL_MIN_PX = 7;
export const EDGE_LABEL_MIN_PX = 9;

/** The class the canvas owner puts on an edge under the pointer, which shows its label. */
export const EDGE_LABEL_CLASS = 'hover';

const TEXT: Record<Theme, { fg: string; muted: string; box: string; boxBorder: string; outline: string }> = {
  light: { fg: '#0f172a', muted: '#475569', box: '#f8fafc', boxBorder: '#94a3b8', outline: '#ffffff' },
  dark: { fg: '#e2e8f0', muted: '#94a3b8', box: '#1e293b', boxBorder: '#475569', outline: '#0f172a' },
};

const EDGE_LOOK: Record<EdgeKind, { width: number; line: 'solid' | 'dashed' | 'dotted'; arrow: 'none' | 'triangle' | 'vee' | 'tee' }> = {
  veth: { width: 2, line: 'solid', arrow: 'none' },
  'ovs-port': { width: 1.5, line: 'solid', arrow: 'tee' },
  'bridge-port': { width: 1.5, line: 'solid', arrow: 'tee' },
  'tc-redirect': { width: 2, line: 'solid', arrow: 'triangle' },
  'tc-mirror': { width: 1.5, line: 'dotted', arrow: 'vee' },
  tunnel: { width: 4, line: 'dashed', arrow: 'none' },
  'tunnel-underlay': { width: 1, line: 'dotted', arrow: 'vee' },
  underlay: { width: 3, line: 'solid', arrow: 'none' },
  'pod-netns': { width: 1, line: 'solid', arrow: 'none' },
};

function deviceRules(): StylesheetStyle[] {
  return (Object.keys(DEVICE_COLOR) as DeviceClass[]).map((device) => ({
    selector: `node[device = "${device}"]`,
    style: { shape: DEVICE_SHAPE[device] as 'ellipse', 'background-color': DEVICE_COLOR[device], 'border-color': DEVICE_COLOR[device] },
  }));
}

function edgeRules(): StylesheetStyle[] {
  return (Object.keys(EDGE_LOOK) as EdgeKind[]).map((kind) => ({
    selector: `edge[kind = "${kind}"]`,
    style: {
      width: EDGE_LOOK[kind].width,
      'line-style': EDGE_LOOK[kind].line,
      'line-color': EDGE_COLOR[kind],
      'target-arrow-color': EDGE_COLOR[kind],
      'target-arrow-shape': EDGE_LOOK[kind].arrow,
    },
  }));
}

/** Critical last so that it wins when classes overlap. */
function faultRules(): StylesheetStyle[] {
  return [...SEVERITY_ORDER].reverse().flatMap((severity) => [
    {
      selector: `node.fault-${severity}`,
      style: { 'border-color': SEVERITY_COLOR[severity], 'border-width': 4, 'border-style': 'double', color: SEVERITY_COLOR[severity] },
    },
    {
      selector: `node.fault-${severity}:childless`,
      style: {
        'background-color': SEVERITY_COLOR[severity],
        'background-fill': 'linear-gradient',
        'background-gradient-stop-colors': `${SEVERITY_COLOR[severity]} #ffffff ${SEVERITY_COLOR[severity]}`,
        'background-gradient-direction': 'to-bottom-right',
      },
    },
    {
      selector: `edge.fault-${severity}`,
      style: {
        'line-color': SEVERITY_COLOR[severity],
        'target-arrow-color': SEVERITY_COLOR[severity],
        width: 5,
        color: SEVERITY_COLOR[severity],
        'source-arrow-shape': 'square',
        'source-arrow-color': SEVERITY_COLOR[severity],
      },
    },
  ]);
}

/** Rules for the classes of a snapshot diff (lib/diff/graph.ts), placed after the fault rules so that they win. */
export function diffRules(): StylesheetStyle[] {
  const { added, removed, changed } = DIFF_COLOR;
  return [
    { selector: 'node.diff', style: { 'font-weight': 'bold', 'min-zoomed-font-size': 0 } },
    { selector: 'node.diff-added', style: { 'border-color': added, 'border-width': 4, 'border-style': 'solid', color: added } },
    { selector: 'node.diff-added:childless', style: { 'background-color': added } },
    { selector: 'node.diff-removed', style: { 'border-color': removed, 'border-width': 3, 'border-style': 'dashed', 'font-style': 'italic' } },
    { selector: 'node.diff-removed:childless', style: { 'background-color': removed, 'background-opacity': 0.45 } },
    { selector: 'node.diff-changed', style: { 'border-color': changed, 'border-width': 6, 'border-style': 'double', color: changed } },
    { selector: 'node.diff-changed:childless', style: { 'background-color': changed } },
    { selector: 'edge.diff', style: { 'min-zoomed-font-size': 0, 'font-weight': 'bold' } },
    { selector: 'edge.diff-added', style: { 'line-color': added, 'target-arrow-color': added, width: 5, color: added } },
    {
      selector: 'edge.diff-removed',
      style: { 'line-color': removed, 'target-arrow-color': removed, 'line-style': 'dotted', opacity: 0.7, 'font-style': 'italic' },
    },
    {
      selector: 'edge.diff-changed',
      style: { 'line-color': changed, 'target-arrow-color': changed, width: 5, color: changed, 'source-arrow-shape': 'diamond', 'source-arrow-color': changed },
    },
  ];
}

export function buildStylesheet(theme: Theme = 'light'): StylesheetStyle[] {
  const t = TEXT[theme];
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        color: t.fg,
        'font-size': 10,
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'text-outline-color': t.outline,
        'text-outline-width': 2,
        'min-zoomed-font-size': DEVICE_LABEL_MIN_PX,
        width: 26,
        height: 26,
        'border-width': 1,
      },
    },
    ...deviceRules(),
    {
      selector: ':parent',
      style: {
        'background-color': t.box,
        'background-opacity': 0.6,
        'border-color': t.boxBorder,
        'border-width': 1,
        'text-valign': 'top',
        'text-halign': 'center',
        'font-weight': 'bold',
        'min-zoomed-font-size': 0,
        padding: '12px',
      },
    },
    { selector: 'node[device = "netns"]:parent', style: { 'border-style': 'dashed', 'background-color': t.box, 'border-color': t.boxBorder } },
    { selector: 'node[kind = "host"]:parent', style: { 'border-width': 2, 'border-color': DEVICE_COLOR.host, 'font-size': 13 } },
    { selector: 'node[device = "podvm"]:parent', style: { 'border-color': DEVICE_COLOR.podvm } },
    { selector: 'node[device = "ovs-bridge"]', style: { width: 60, height: 18 } },
    { selector: 'node.overview', style: { width: 46, height: 30, 'font-size': 12, 'min-zoomed-font-size': DEVICE_LABEL_MIN_PX } },
    {
      selector: 'node[kind = "segment"]',
      style: {
        width: 90,
        height: 16,
        'text-valign': 'center',
        'text-halign': 'center',
        color: '#ffffff',
        'text-outline-color': DEVICE_COLOR.segment,
        'min-zoomed-font-size': 0,
      },
    },
    { selector: 'node.remote', style: { 'border-style': 'dashed', 'background-opacity': 0.35, 'font-style': 'italic' } },
    {
      selector: 'edge',
      style: {
        'curve-style': 'bezier',
        'font-size': 9,
        color: t.muted,
        'text-outline-color': t.outline,
        'text-outline-width': 2,
        'min-zoomed-font-size': EDGE_LABEL_MIN_PX,
        'arrow-scale': 1.1,
      },
    },
    ...edgeRules(),
    { selector: 'edge[kind = "tunnel"]', style: { 'font-size': 10, 'font-weight': 'bold', color: EDGE_COLOR.tunnel, 'min-zoomed-font-size': 5 } },
    /*
     * An edge's label lies along its line, across the devices and labels beside it, and no zoom level changes
     * that: it shows where the reader asks for it (hover, selection) and on a diff's marked edges, on a backing
     * that keeps it legible over lines. The inspector holds the same details. The overview's host links keep
     * theirs: they are few and far apart.
     */
    { selector: 'edge[label].overview', style: { label: 'data(label)', 'text-rotation': 'autorotate' } },
    {
      selector: `edge[label].${EDGE_LABEL_CLASS}, edge[label]:selected, edge[label].diff`,
      style: {
        label: 'data(label)',
        'text-rotation': 'autorotate',
        'text-background-color': t.outline,
        'text-background-opacity': 0.9,
        'text-background-padding': '2px',
        'text-background-shape': 'roundrectangle',
        'min-zoomed-font-size': 0,
      },
    },
    { selector: 'edge.overview[count > 1]', style: { width: 6 } },
    { selector: 'node.contains-fault', style: { 'border-style': 'double', 'border-width': 4 } },
    ...faultRules(),
    ...diffRules(),
    { selector: '.trace', style: { 'overlay-color': TRACE_COLOR, 'overlay-opacity': 0.25, 'overlay-padding': 6 } },
    { selector: 'edge.trace', style: { 'line-color': TRACE_COLOR, 'target-arrow-color': TRACE_COLOR, width: 5 } },
    {
      selector: '.trace-break',
      style: {
        'overlay-color': SEVERITY_COLOR.critical,
        'overlay-opacity': 0.35,
        'border-color': SEVERITY_COLOR.critical,
        'border-width': 5,
        'border-style': 'double',
      },
    },
    { selector: '.dim', style: { opacity: 0.25 } },
    { selector: ':selected', style: { 'overlay-color': SELECTED_COLOR, 'overlay-opacity': 0.35, 'overlay-padding': 8 } },
    { selector: 'node:selected', style: { 'border-color': SELECTED_COLOR, 'border-width': 4 } },
  ];
}
