import { DEVICE_COLOR, DEVICE_LABEL, EDGE_COLOR, EDGE_LABEL, SEVERITY_COLOR, type DeviceClass } from '@/lib/graph/palette';
import type { EdgeKind } from '@/lib/topology/types';

const SHAPE_GLYPH: Record<DeviceClass, string> = {
  host: '▭',
  podvm: '▭',
  netns: '⬚',
  pod: '●',
  veth: '●',
  tunnel: '◆',
  bridge: '⬭',
  'ovs-bridge': '▬',
  'ovs-internal': '⬢',
  physical: '⬟',
  loopback: '⯃',
  segment: '═',
  other: '●',
};

/** Legend colours are data from the shared palette, so they are applied as SVG fill attributes. */
function Swatch({ color, glyph }: { color: string; glyph: string }) {
  return (
    <svg width="14" height="14" aria-hidden className="shrink-0">
      <text x="7" y="12" textAnchor="middle" fontSize="13" fill={color}>
        {glyph}
      </text>
    </svg>
  );
}

export function Legend() {
  return (
    <details className="text-xs" data-testid="legend">
      <summary className="cursor-pointer select-none text-slate-600 dark:text-slate-400">Legend</summary>
      <div className="mt-1 grid grid-cols-2 gap-x-3 gap-y-0.5">
        {(Object.keys(DEVICE_LABEL) as DeviceClass[]).map((d) => (
          <span key={d} className="flex items-center gap-1">
            <Swatch color={DEVICE_COLOR[d]} glyph={SHAPE_GLYPH[d]} /> {DEVICE_LABEL[d]}
          </span>
        ))}
        {(Object.keys(EDGE_LABEL) as EdgeKind[]).map((k) => (
          <span key={k} className="flex items-center gap-1">
            <Swatch color={EDGE_COLOR[k]} glyph="━" /> {EDGE_LABEL[k]}
          </span>
        ))}
        <span className="col-span-2 flex items-center gap-1">
          <Swatch color={SEVERITY_COLOR.critical} glyph="⚠" /> Fault: red, double border and ⚠ badge; edges thick with a square end
        </span>
      </div>
    </details>
  );
}
