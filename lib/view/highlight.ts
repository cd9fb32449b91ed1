/**
 * The values a finding is about (MACs, addresses, VNIs, MTUs, ports named in its title), marked where the
 * evidence quotes them: in a long JSON line from `ip -j -d link`, the eye goes straight to the wrong MAC.
 */

const MAC = /\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?\b/g;
/** IPv6 with a `::` or all eight groups; bare `a:b` pairs (times, MAC fragments) are not addresses. */
const IPV6 = /(?<![0-9a-f:])(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}(?![0-9a-f:])|(?<![0-9a-f:])[0-9a-f:]*::[0-9a-f:]*(?<=[0-9a-f])(?![0-9a-f:])/gi;
/** Numbers of three digits or more: MTUs, VNIs, ports. Smaller ones (indexes, counts) would mark everything. */
const NUMBER = /(?<![\d.:])\d{3,}(?![\d.:])/g;

export interface Segment {
  text: string;
  hit: boolean;
}

/** The salient values of a finding's title, longest first, without repeats. */
export function salientValues(title: string): string[] {
  const withoutMacs = title.replace(MAC, ' ');
  const found = [...(title.match(MAC) ?? []), ...(title.match(IPV4) ?? []), ...(withoutMacs.match(IPV6) ?? []), ...(withoutMacs.replace(IPV4, ' ').match(NUMBER) ?? [])];
  // An address with its prefix also marks the bare address, as most outputs print them apart.
  const values = found.flatMap((v) => (v.includes('/') ? [v, v.slice(0, v.indexOf('/'))] : [v]));
  return [...new Set(values.map((v) => v.toLowerCase()))].sort((a, b) => b.length - a.length);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `text` cut into plain and marked pieces; a value counts only where it is not part of a longer token. */
export function highlightSegments(text: string, values: readonly string[]): Segment[] {
  if (values.length === 0 || text === '') return [{ text, hit: false }];
  const pattern = new RegExp(`(?<![0-9a-z_.-]|[0-9a-f]:)(?:${values.map(escape).join('|')})(?![0-9a-z_:-]|\\.\\d)`, 'gi');
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at), hit: false });
    out.push({ text: m[0], hit: true });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), hit: false });
  return out;
}
