import { describe, expect, it } from 'vitest';
import { offersRecheck, rulesNote } from '@/lib/view/rules-check';

describe('the rules version a snapshot page names', () => {
  it('names the stored version while the stored findings are shown', () => {
    expect(rulesNote({ stored: '1.0.0', shown: '1.0.0', rechecked: false })).toBe('rules 1.0.0');
  });

  it('names the current version and the stored one once re-checked', () => {
    expect(rulesNote({ stored: '1.0.0', shown: '1.1.0', rechecked: true })).toBe('rules 1.1.0 (re-checked; stored 1.0.0)');
  });

  it('says a re-check under the same version was made, without repeating the version', () => {
    expect(rulesNote({ stored: '1.1.0', shown: '1.1.0', rechecked: true })).toBe('rules 1.1.0 (re-checked)');
  });
});

describe('when a page offers to re-check with the current rules', () => {
  it('offers it when the server runs other rules than the snapshot was stored with', () => {
    expect(offersRecheck('1.0.0', '1.1.0', 'stored')).toBe(true);
  });

  it('does not offer it when the server runs the stored rules, or before the server said which it runs', () => {
    expect(offersRecheck('1.1.0', '1.1.0', 'stored')).toBe(false);
    expect(offersRecheck('1.0.0', undefined, 'stored')).toBe(false);
  });

  it('always offers the way back to the stored findings from a re-checked page', () => {
    expect(offersRecheck('1.1.0', '1.1.0', 'current')).toBe(true);
    expect(offersRecheck('1.0.0', undefined, 'current')).toBe(true);
  });
});
