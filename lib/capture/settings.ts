/**
 * A whole-number setting from the environment (a limit, a size, a priority): the value when it is an integer within
 * [min, max], else the default, so a typo never turns a limit off or into something absurd.
 */
export function integerSetting(raw: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const value = raw?.trim() ? Number(raw) : NaN;
  return Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}
