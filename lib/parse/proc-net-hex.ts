/**
 * Addresses as /proc/net prints them: IPv4 as the hex of a 32-bit word in the host's byte order (little-endian on
 * the machines Tunnelscope reads: x86-64, arm64), IPv6 as 32 hex digits in network order.
 */

/** `0100400A` → 10.64.0.1; undefined for anything but 8 hex digits. */
export function ipv4FromHex(hex: string): string | undefined {
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) return undefined;
  const bytes = [6, 4, 2, 0].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  return bytes.join('.');
}

/** A netmask word's prefix length; undefined for a mask that is not contiguous ones. */
export function prefixFromMaskHex(hex: string): number | undefined {
  const mask = ipv4FromHex(hex);
  if (mask === undefined) return undefined;
  const bits = mask
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits) ? bits.replace(/0+$/, '').length : undefined;
}

/** A dotted IPv4 address as a number, for prefix matching. */
export function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function inPrefix(ip: string, network: string, prefixlen: number): boolean {
  const size = 2 ** (32 - prefixlen);
  return Math.floor(ipv4Number(ip) / size) === Math.floor(ipv4Number(network) / size);
}

/**
 * `fd000062000000000000000000000001` → fd00:62::1, written as iproute2 prints it (glibc's inet_ntop: the longest
 * run of two or more zero groups, the first of equal runs, becomes `::`; a mapped or compatible IPv4 tail stays
 * dotted). Undefined for anything but 32 hex digits.
 */
export function ipv6FromHex(hex: string): string | undefined {
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  const groups = Array.from({ length: 8 }, (_, i) => Number.parseInt(hex.slice(i * 4, i * 4 + 4), 16));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.len < 2) best = { at: -1, len: 0 };
  const tail = groups[6] * 65536 + groups[7];
  if (best.at === 0 && (best.len === 6 || (best.len === 5 && groups[5] === 0xffff))) {
    const dotted = [tail >>> 24, (tail >>> 16) & 255, (tail >>> 8) & 255, tail & 255].join('.');
    return `::${best.len === 5 ? 'ffff:' : ''}${dotted}`;
  }
  const text = groups.map((g) => g.toString(16));
  if (best.at < 0) return text.join(':');
  return `${text.slice(0, best.at).join(':')}::${text.slice(best.at + best.len).join(':')}`;
}
