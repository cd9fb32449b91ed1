import { describe, expect, it } from 'vitest';
import { memoize } from '@/lib/topology/memoize';

describe('memoize', () => {
  it('derives once per object and again for another object', () => {
    let calls = 0;
    const size = memoize((list: readonly number[]) => {
      calls += 1;
      return { size: list.length };
    });
    const a = [1, 2, 3];
    expect(size(a)).toBe(size(a));
    expect(calls).toBe(1);
    expect(size([1])).toEqual({ size: 1 });
    expect(calls).toBe(2);
  });

  it('remembers a derived undefined too', () => {
    let calls = 0;
    const nothing = memoize((_: object) => {
      calls += 1;
      return undefined;
    });
    const key = {};
    nothing(key);
    nothing(key);
    expect(calls).toBe(1);
  });
});
