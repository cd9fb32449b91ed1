/**
 * Layout options per view level, fixed so that the same snapshot lays out the same way on every load.
 * ELK layered handles compound nodes (host ⊃ namespace ⊃ device) deterministically; the overview of many
 * hosts uses a grid in topology order, which is cheap and stable at 200+ hosts.
 */
import type { DeviceClass } from './palette';

/** What the canvas draws: hosts only, one host's devices, or every device. */
export type GraphLevel = 'overview' | 'host' | 'full';

export interface ElkLayoutOptions {
  name: 'elk';
  fit: boolean;
  padding: number;
  animate: false;
  nodeDimensionsIncludeLabels: boolean;
  elk: Record<string, string | number | boolean>;
}

export interface GridLayoutOptions {
  name: 'grid';
  /**
   * False: the canvas fits the view to the nodes alone. Fitting to every element measures each edge and its
   * label first, which on a 500-host overview costs more than the layout itself.
   */
  fit: false;
  padding: number;
  avoidOverlap: boolean;
}

export type LayoutOptions = ElkLayoutOptions | GridLayoutOptions;

/** Above this many hosts the overview switches from ELK to a grid. */
export const OVERVIEW_GRID_THRESHOLD = 40;

const ELK_LAYERED: ElkLayoutOptions = {
  name: 'elk',
  fit: true,
  padding: 24,
  animate: false,
  nodeDimensionsIncludeLabels: true,
  elk: {
    algorithm: 'layered',
    'elk.direction': 'RIGHT',
    'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
    'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
    'elk.layered.crossingMinimization.semiInteractive': false,
    'elk.randomSeed': 1,
    'elk.spacing.nodeNode': 28,
    'elk.layered.spacing.nodeNodeBetweenLayers': 48,
    'elk.padding': '[top=28,left=14,bottom=14,right=14]',
    'elk.partitioning.activate': true,
  },
};

/**
 * The datapath layer of a device inside its host, left to right: uplinks and tunnels, bridges, the host ends of
 * veths, then the pod namespaces. ELK keeps each layer in its own column (partitioning); devices inside a
 * namespace share one layer, so their own edges order them.
 */
export function datapathLayer(device: DeviceClass, inNamespace: boolean): number {
  if (inNamespace) return 0;
  if (device === 'physical' || device === 'tunnel' || device === 'segment') return 0;
  if (device === 'bridge' || device === 'ovs-bridge' || device === 'ovs-internal') return 1;
  if (device === 'netns' || device === 'pod') return 3;
  return 2;
}

export function layoutFor(level: GraphLevel, nodeCount: number): LayoutOptions {
  if (level === 'overview' && nodeCount > OVERVIEW_GRID_THRESHOLD) {
    return { name: 'grid', fit: false, padding: 24, avoidOverlap: true };
  }
  return ELK_LAYERED;
}
