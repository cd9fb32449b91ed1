import { describe, expect, it } from 'vitest';
import { compareCandidates, diffHref, parseDiffViewState, serializeDiffViewState } from '@/lib/diff/view-state';

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

  it('keeps the current rules of a re-checked page in the comparison it links to', () => {
    const broken = { id: 'broken', createdAt: '2026-03-02T09:14:07.000Z' };
    const fixed = { id: 'fixed', createdAt: '2026-03-02T10:02:51.000Z' };
    expect(diffHref(fixed, broken, 'current')).toBe('/diff?a=broken&b=fixed&rules=current');
  });
});

describe('snapshots offered for comparison', () => {
  const snap = (id: string, minute: number) => ({ id, title: id, createdAt: `2026-03-02T10:${String(minute).padStart(2, '0')}:00.000Z` });

  it('merges the pages per host into one list, newest first, without the snapshot itself or repeats', () => {
    const worker = [snap('self', 5), snap('w-old', 1), snap('both', 3)];
    const podvm = [snap('both', 3), snap('vm-new', 9), snap('self', 5)];
    expect(compareCandidates([worker, podvm], 'self').map((s) => s.id)).toEqual(['vm-new', 'both', 'w-old']);
  });

  it('offers at most the limit', () => {
    const many = Array.from({ length: 30 }, (_, i) => snap(`s${i}`, i));
    expect(compareCandidates([many], 'none', 20)).toHaveLength(20);
  });
});
