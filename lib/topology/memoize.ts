/**
 * Derived lookups computed once per object. A topology, and the parsed host state inside it, is never changed
 * once built, so an index keyed on that object stays valid for as long as the object lives.
 */
export function memoize<K extends object, V>(derive: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as V;
    const value = derive(key);
    cache.set(key, value);
    return value;
  };
}
