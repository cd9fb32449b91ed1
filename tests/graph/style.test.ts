import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import type { SnapshotView } from '@/lib/snapshot/types';
import { buildDeviceElements } from '@/lib/graph/elements';
import { DEVICE_COLOR, EDGE_COLOR, SEVERITY_COLOR } from '@/lib/graph/palette';
import { buildStylesheet, EDGE_LABEL_CLASS } from '@/lib/graph/style';
import view from '../fixtures/views/peerpod-incident.json';

const incident = view as unknown as SnapshotView;
const VXLAN0 = 'host:podvm-nginx-priv-8b726648/ns:podns/if:vxlan0';

function headless(theme: 'light' | 'dark' = 'light') {
  const elements = buildDeviceElements(incident.topology, incident.findings);
  return cytoscape({ headless: true, styleEnabled: true, elements, style: buildStylesheet(theme) });
}

function rgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255})`;
}

describe('stylesheet on a headless graph', () => {
  const cy = headless();

  it('paints a critical device red with a double border, not by colour alone', () => {
    const vx = cy.getElementById(VXLAN0);
    expect(vx.style('border-color')).toBe(rgb(SEVERITY_COLOR.critical));
    expect(vx.style('border-style')).toBe('double');
    expect(vx.style('label')).toContain('⚠');
  });

  it('draws device kinds with their own shape and colour', () => {
    const ens4 = cy.getElementById('host:podvm-nginx-priv-8b726648/if:ens4');
    expect(ens4.style('background-color')).toBe(rgb(DEVICE_COLOR.physical));
    expect(ens4.style('shape')).toBe('round-tag');
    const bridge = cy.getElementById('host:ocp-412-ovn-worker-1/ovs:br-int');
    expect(bridge.style('shape')).toBe('rectangle');
  });

  it('tells tunnels apart from veths by width and colour, and tc redirects by an arrow', () => {
    const tunnel = cy.edges('[kind = "tunnel"]').first();
    const veth = cy.edges('[kind = "veth"]').first();
    const redirect = cy.edges('[kind = "tc-redirect"]').first();
    expect(parseFloat(veth.style('width'))).toBeLessThan(parseFloat(tunnel.style('width')));
    expect(veth.style('line-color')).toBe(rgb(EDGE_COLOR.veth));
    expect(redirect.style('target-arrow-shape')).toBe('triangle');
    expect(veth.style('target-arrow-shape')).toBe('none');
  });

  it('turns a faulty tunnel edge red and thick', () => {
    const tunnel = cy.edges('[kind = "tunnel"]').first();
    expect(tunnel.hasClass('fault-critical')).toBe(true);
    expect(tunnel.style('line-color')).toBe(rgb(SEVERITY_COLOR.critical));
  });

  it('shows an edge label only on the edge pointed at or selected, on a backing, so that it never crosses device names', () => {
    const local = headless();
    const tunnel = local.edges('[kind = "tunnel"]').first();
    expect(tunnel.data('label')).toContain('VNI');
    expect(local.edges().map((e) => e.style('label') as string)).toEqual(local.edges().map(() => ''));
    tunnel.addClass(EDGE_LABEL_CLASS);
    expect(tunnel.style('label')).toBe(tunnel.data('label'));
    expect(parseFloat(tunnel.style('text-background-opacity'))).toBeGreaterThan(0);
    tunnel.removeClass(EDGE_LABEL_CLASS).select();
    expect(tunnel.style('label')).toBe(tunnel.data('label'));
  });

  it('hides device labels below a zoom threshold but keeps host labels', () => {
    const vx = cy.getElementById(VXLAN0);
    const host = cy.getElementById('host:podvm-nginx-priv-8b726648');
    expect(parseFloat(vx.style('min-zoomed-font-size'))).toBeGreaterThan(0);
    expect(parseFloat(host.style('min-zoomed-font-size'))).toBe(0);
  });

  it('draws hosts as light boxes outlined in the host colour so their devices stay readable', () => {
    const host = cy.getElementById('host:ocp-412-ovn-worker-1');
    expect(host.isParent()).toBe(true);
    expect(host.style('background-color')).not.toBe(rgb(DEVICE_COLOR.host));
    expect(host.style('border-color')).toBe(rgb(DEVICE_COLOR.host));
  });

  it('uses light text on the dark theme', () => {
    const dark = headless('dark');
    expect(dark.getElementById('host:podvm-nginx-priv-8b726648/if:ens4').style('color')).not.toBe(cy.getElementById('host:podvm-nginx-priv-8b726648/if:ens4').style('color'));
  });
});
