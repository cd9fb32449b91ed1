/**
 * Colours for severities, device kinds, edge kinds and diff states, defined once (palette.json) and shared by the graph
 * stylesheet, the legend and the Tailwind theme (tailwind.config.cjs reads the same file).
 */
import type { Severity } from '@/lib/diagnose/types';
import type { EdgeKind } from '@/lib/topology/types';
import palette from './palette.json';

/** How a device is drawn: one shape and colour per class. */
export type DeviceClass = keyof typeof palette.kind;

export const SEVERITY_COLOR: Record<Severity, string> = palette.severity;
export const DEVICE_COLOR: Record<DeviceClass, string> = palette.kind;
export const EDGE_COLOR: Record<EdgeKind, string> = palette.edge;
export const TRACE_COLOR = palette.trace;
export const SELECTED_COLOR = palette.selected;
/** Added, removed and changed elements of a snapshot diff. */
export const DIFF_COLOR = palette.diff;

export const SEVERITY_ORDER: Severity[] = ['critical', 'warning', 'info'];

/** Cytoscape node shapes per device class; the legend draws the same names. */
export const DEVICE_SHAPE: Record<DeviceClass, string> = {
  host: 'round-rectangle',
  podvm: 'round-rectangle',
  netns: 'round-rectangle',
  pod: 'ellipse',
  veth: 'ellipse',
  tunnel: 'diamond',
  bridge: 'barrel',
  'ovs-bridge': 'rectangle',
  'ovs-internal': 'hexagon',
  physical: 'round-tag',
  loopback: 'round-octagon',
  segment: 'cut-rectangle',
  other: 'ellipse',
};

export const DEVICE_LABEL: Record<DeviceClass, string> = {
  host: 'Host',
  podvm: 'Pod VM',
  netns: 'Network namespace',
  pod: 'Pod',
  veth: 'veth',
  tunnel: 'VXLAN / Geneve',
  bridge: 'Linux bridge',
  'ovs-bridge': 'OVS bridge',
  'ovs-internal': 'OVS internal port',
  physical: 'Physical / uplink',
  loopback: 'Loopback',
  segment: 'Shared underlay subnet',
  other: 'Other device',
};

export const EDGE_LABEL: Record<EdgeKind, string> = {
  veth: 'veth pair',
  'ovs-port': 'OVS port',
  'bridge-port': 'Bridge port',
  'tc-redirect': 'tc redirect (arrow)',
  'tc-mirror': 'tc mirror (arrow)',
  tunnel: 'Tunnel (VNI · port)',
  'tunnel-underlay': 'Tunnel → underlay',
  underlay: 'Underlay link',
  'pod-netns': 'Pod ↔ namespace',
};
