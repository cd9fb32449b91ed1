import { describe, expect, it } from 'vitest';
import { diffHref, parseDiffViewState, serializeDiffViewState } from '@/lib/graph/diff-view';

const VXLAN0 = 'host:podvm-nginx-priv-8b726648/ns:podns/if:vxlan0';

describe('diff view state in the URL', () => {
  it('reads both snapshots, rules, what is shown, focus and selection', () => {
    const params = new URLSearchParams({ a: 'A1', b: 'B2', rules: 'current', show: 'changes', focus: `${VXLAN0},x`, sel: VXLAN0 });
    expect(parseDiffViewState(params)).toEqual({ a: 'A1', b: 'B2', rules: 'current', show: 'changes', focus: [VXLAN0, 'x'], sel: VXLAN0 });
  });

  it('falls back to stored rules and an automatic choice of what is shown on unknown values', () => {
    const state = parseDiffViewState(new URLSearchParams('a=A1&b=B2&rules=newest&show=everything'));
    expect(state.rules).toBe('stored');
    expect(state.show).toBeUndefined();
  });

  it('writes a canonical link that reads back to the same view', () => {
    const state = parseDiffViewState(new URLSearchParams({ sel: VXLAN0, b: 'B2', show: 'all', a: 'A1' }));
    const query = serializeDiffViewState(state);
    expect(query).toBe(`a=A1&b=B2&show=all&sel=${encodeURIComponent(VXLAN0)}`);
    expect(parseDiffViewState(new URLSearchParams(query))).toEqual(state);
  });

  it('links a comparison from the earlier snapshot to the later, whichever page it starts from', () => {
    const broken = { id: 'broken', createdAt: '2026-03-02T09:14:07.000Z' };
    const fixed = { id: 'fixed', createdAt: '2026-03-02T10:02:51.000Z' };
    expect(diffHref(broken, fixed)).toBe('/diff?a=broken&b=fixed');
    expect(diffHref(fixed, broken)).toBe('/diff?a=broken&b=fixed');
  });
});
