import { describe, expect, it } from 'vitest';
import { parseViewState, serializeViewState, withViewState } from '@/lib/view/view-state';

describe('view state: the path view in the link', () => {
  it('keeps the path subject and the graph tab through a round trip', () => {
    const query = 'focus=a,b&path=peerpod-podvm-mac-mismatch%40host%3Avm%2Fns%3Apodns%2Fif%3Avxlan0&tab=graph';
    const state = parseViewState(new URLSearchParams(query));
    expect(state.path).toBe('peerpod-podvm-mac-mismatch@host:vm/ns:podns/if:vxlan0');
    expect(state.tab).toBe('graph');
    expect(parseViewState(new URLSearchParams(serializeViewState(state)))).toEqual(state);
  });

  it('leaves the default tab (the path) and an unknown tab out of the link', () => {
    expect(parseViewState(new URLSearchParams('tab=path')).tab).toBeUndefined();
    expect(parseViewState(new URLSearchParams('tab=other')).tab).toBeUndefined();
    expect(serializeViewState({ focus: [], filters: [], tab: 'path' })).toBe('');
  });
});

describe("view state beside a page's own parameters", () => {
  it("replaces the view's parameters and keeps the page's, so a selection in a cluster's live view stays on that cluster", () => {
    const current = new URLSearchParams('source=kube&context=lab&podVms=1&podVmSsh.keySecret=tunnelscope%2Fkey&sel=host%3Aworker-1&f=errors');
    const query = withViewState(current, { focus: [], filters: [], sel: 'host:vm-1' });
    expect(query).toBe('source=kube&context=lab&podVms=1&podVmSsh.keySecret=tunnelscope%2Fkey&sel=host%3Avm-1');
    expect(withViewState(new URLSearchParams('sel=a'), { focus: [], filters: [] })).toBe('');
  });
});
