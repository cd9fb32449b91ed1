import { describe, expect, it } from 'vitest';
import { integerSetting } from '@/lib/capture/settings';

describe('a whole-number setting from the environment', () => {
  it('takes an integer within its bounds, spaces around it allowed', () => {
    expect(integerSetting(' 42 ', 7)).toBe(42);
    expect(integerSetting('0', 7, 0)).toBe(0);
    expect(integerSetting('19', 7, 0, 19)).toBe(19);
  });
  it('keeps the default for anything else: unset, empty, fractional, words, out of bounds', () => {
    for (const raw of [undefined, '', '  ', '1.5', 'ten', '0', '-3', '1e400']) expect(integerSetting(raw, 7), String(raw)).toBe(7);
    expect(integerSetting('20', 7, 0, 19)).toBe(7);
    expect(integerSetting('-1', 7, 0)).toBe(7);
  });
});
