import { describe, expect, it } from 'vitest';
import type { SnapshotView } from '@/lib/snapshot/types';
import { inspect } from '@/lib/view/inspect';
import { searchTopology } from '@/lib/view/search';
import { parseViewState, serializeViewState } from '@/lib/view/view-state';
import view from '../fixtures/views/peerpod-incident.json';
import { syntheticTopology } from '../graph/synthetic';

const incident = view as unknown as SnapshotView;
const VXLAN0 = 'host:podvm-nginx-priv-8b726648/ns:podns/if:vxlan0';

function text(id: string): string {
  const found = inspect(incident.topology, id);
  return JSON.stringify(found);
}

describe('inspector data', () => {
  it('shows the pod VM vxlan0 MAC and the worker pod eth0 MAC with the same IP', () => {
    const found = inspect(incident.topology, VXLAN0);
    expect(found?.sections.find((s) => s.title === 'Device')?.rows).toContainEqual(['MAC', '7e:e5:f7:e6:f5:1a']);
    const same = found?.sections.find((s) => s.title === 'Same address elsewhere');
    expect(same?.rows[0][1]).toContain('0a:58:0a:84:02:2e');
    expect(found?.sections.find((s) => s.title === 'VXLAN')?.rows).toContainEqual(['VNI', '555000']);
  });

  it('lists tc filters, OVS external ids and neighbours pointing at a device', () => {
    expect(text('host:ocp-412-ovn-worker-1/ns:c16c7a01-3f0e-4b8e-9d55-5c2b1e7d0a11/if:eth0')).toContain('redirect → vxlan1');
    const veth = text('host:ocp-412-ovn-worker-1/if:c16c7a01a1b2c3d');
    expect(veth).toContain('external_ids:iface-id');
    expect(veth).toContain('default_nginx-priv');
    expect(text('host:ocp-412-ovn-worker-1/ns:c16c7a01-3f0e-4b8e-9d55-5c2b1e7d0a11/if:eth0')).toContain('ovn-k8s-mp0 (ocp-412-ovn-worker-1 · root)');
  });

  it('describes edges by their two ends', () => {
    const tunnel = incident.topology.edges.find((e) => e.kind === 'tunnel')!;
    expect(text(tunnel.id)).toContain('podvm-nginx-priv-8b726648 · podns · vxlan0');
  });

  it('lists the same address on other hosts only for addresses beyond the link (not fe80::, not 127.0.0.1)', () => {
    const topology = syntheticTopology(2, 0);
    const ens3 = topology.nodes.filter((n) => n.label === 'ens3');
    const withAddress = (scope: string) => {
      for (const node of ens3) node.iface!.addresses = [{ family: 'inet6', local: 'fd00::1', prefixlen: 64, scope }];
      return inspect(topology, ens3[0].id)?.sections.find((s) => s.title === 'Same address elsewhere');
    };
    expect(withAddress('link')).toBeUndefined();
    expect(withAddress('host')).toBeUndefined();
    expect(withAddress('global')?.rows).toEqual([['worker-001 · root · ens3', 'fd00::1 MAC 52:54:00:00:00:01']]);
  });

  it('returns null for an unknown id', () => {
    expect(inspect(incident.topology, 'host:nope')).toBeNull();
  });
});

describe('search', () => {
  it('finds both devices holding 10.132.2.46 and the pod by IP', () => {
    const hits = searchTopology(incident.topology, '10.132.2.46');
    expect(hits.map((h) => h.id)).toEqual(expect.arrayContaining([VXLAN0, 'host:ocp-412-ovn-worker-1/ns:c16c7a01-3f0e-4b8e-9d55-5c2b1e7d0a11/if:eth0', 'pod:default/nginx-priv']));
  });

  it('finds a device by MAC in any case and a pod by name', () => {
    expect(searchTopology(incident.topology, '7E:E5:F7:E6:F5:1A').map((h) => h.id)).toEqual([VXLAN0]);
    expect(searchTopology(incident.topology, 'nginx-priv').some((h) => h.match === 'pod')).toBe(true);
  });
});

describe('view state in the URL', () => {
  it('round-trips focus, selection, filters, host and trace', () => {
    const state = {
      focus: [VXLAN0],
      sel: VXLAN0,
      q: '10.132.2.46',
      filters: ['lo' as const, 'faulty' as const],
      host: 'w1',
      trace: { from: VXLAN0, to: '10.132.2.1' },
    };
    const parsed = parseViewState(new URLSearchParams(serializeViewState(state)));
    expect(parsed).toEqual({ ...state, level: undefined });
  });

  it('drops unknown filter flags', () => {
    expect(parseViewState(new URLSearchParams('f=lo,bogus')).filters).toEqual(['lo']);
  });

  it('round-trips a view re-checked with the current rules, next to host and level', () => {
    const state = { focus: [VXLAN0], filters: [], host: 'w1', level: 'full' as const, rules: 'current' as const };
    const query = serializeViewState(state);
    expect(query).toBe(`host=w1&level=full&rules=current&focus=${encodeURIComponent(VXLAN0)}`);
    expect(parseViewState(new URLSearchParams(query))).toEqual(state);
  });

  it('leaves the stored rules out of the link, and reads any other rules value as stored', () => {
    expect(serializeViewState({ focus: [], filters: [], rules: 'stored' })).toBe('');
    expect(parseViewState(new URLSearchParams('rules=stored')).rules).toBeUndefined();
    expect(parseViewState(new URLSearchParams('rules=newest')).rules).toBeUndefined();
    expect(parseViewState(new URLSearchParams('')).rules).toBeUndefined();
  });
});
