/** Narrowing of untrusted JSON values (command output is data from another machine). */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function num(o: JsonObject, key: string): number | undefined {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

export function bool(o: JsonObject, key: string): boolean | undefined {
  const v = o[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function obj(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  return isObject(v) ? v : undefined;
}

export function arr(o: JsonObject, key: string): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : [];
}

export function strings(o: JsonObject, key: string): string[] {
  const list = arr(o, key);
  // The parsed array itself when it holds only strings: exactly sized, where a filtered copy keeps spare capacity.
  return list.every((x) => typeof x === 'string') ? (list as string[]) : list.filter((x): x is string => typeof x === 'string');
}

/** Scalars as text, for maps whose values are printed as-is. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
