/** Address arithmetic for IPv4 and IPv6, on plain strings as iproute2 prints them. */

export type IpFamily = 'inet' | 'inet6';

interface ParsedIp {
  family: IpFamily;
  value: bigint;
  bits: number;
}

/** Four dot-separated groups of one to three decimal digits, each at most 255 (read char by char: a hot path). */
export function ipv4Number(text: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255 || ++dots > 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return undefined;
  return value * 256 + part;
}

function parseIPv4(text: string): bigint | null {
  const value = ipv4Number(text);
  return value === undefined ? null : BigInt(value);
}

function parseGroups(text: string): number[] | null {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i];
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (v4 === null) return null;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}

function parseIPv6(text: string): bigint | null {
  const bare = text.split('%')[0];
  const halves = bare.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function parseIp(text: string): ParsedIp | null {
  if (text.includes(':')) {
    const value = parseIPv6(text);
    return value === null ? null : { family: 'inet6', value, bits: 128 };
  }
  const value = parseIPv4(text);
  return value === null ? null : { family: 'inet', value, bits: 32 };
}

/*
 * IPv4 addresses are read as plain numbers below 2^32, where every operation is exact, instead of as BigInt:
 * route lookups and address checks run for every device of every host, and nearly all addresses are IPv4.
 * Whatever has a colon takes the general path.
 */

export function ipFamily(ip: string): IpFamily | null {
  if (!ip.includes(':')) return ipv4Number(ip) === undefined ? null : 'inet';
  return parseIp(ip)?.family ?? null;
}

/** `cidr` split at its slashes as `cidr.split('/')` would give its first two parts, without the array. */
function cidrParts(cidr: string): [string, string | undefined] {
  const slash = cidr.indexOf('/');
  if (slash < 0) return [cidr, undefined];
  const next = cidr.indexOf('/', slash + 1);
  return [cidr.slice(0, slash), next < 0 ? cidr.slice(slash + 1) : cidr.slice(slash + 1, next)];
}

function lengthWithin(len: string | undefined, bits: number): number | null {
  if (len === undefined) return bits;
  const n = Number(len);
  return Number.isInteger(n) && n >= 0 && n <= bits ? n : null;
}

/** Prefix length of a route destination: `default` is 0, a bare address is a host route. */
export function prefixLength(cidr: string): number | null {
  if (cidr === 'default') return 0;
  const [addr, len] = cidrParts(cidr);
  if (!addr.includes(':')) return ipv4Number(addr) === undefined ? null : lengthWithin(len, 32);
  const parsed = parseIp(addr);
  return parsed === null ? null : lengthWithin(len, parsed.bits);
}

/** True when `ip` lies in `cidr`; `default` contains every address of the same family as `ip`. */
export function ipInCidr(ip: string, cidr: string, family?: IpFamily): boolean {
  if (!ip.includes(':')) {
    const target = ipv4Number(ip);
    if (target === undefined) return false;
    if (cidr === 'default') return family === undefined || family === 'inet';
    const [addr, len] = cidrParts(cidr);
    // An address with a colon is not IPv4 (or not an address): no match either way.
    const net = addr.includes(':') ? undefined : ipv4Number(addr);
    const prefix = lengthWithin(len, 32);
    if (net === undefined || prefix === null) return false;
    const size = 2 ** (32 - prefix);
    return Math.floor(target / size) === Math.floor(net / size);
  }
  const target = parseIp(ip);
  if (target === null) return false;
  if (cidr === 'default') return family === undefined || family === target.family;
  const [addr] = cidrParts(cidr);
  const net = parseIp(addr);
  const len = prefixLength(cidr);
  if (net === null || len === null || net.family !== target.family) return false;
  const shift = BigInt(net.bits - len);
  return target.value >> shift === net.value >> shift;
}

export function sameIp(a: string, b: string): boolean {
  const v6 = a.includes(':');
  if (v6 !== b.includes(':')) return false;
  if (!v6) {
    const x = ipv4Number(a);
    return x !== undefined && x === ipv4Number(b);
  }
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== null && y !== null && x.family === y.family && x.value === y.value;
}

/** One key per address however it is written (`10.0.0.1`, `fe80::1` = `fe80:0::1`), for maps of addresses. */
export function ipKey(ip: string): string | undefined {
  if (!ip.includes(':')) {
    const value = ipv4Number(ip);
    return value === undefined ? undefined : `4:${value}`;
  }
  const parsed = parseIp(ip);
  return parsed === null ? undefined : `6:${parsed.value}`;
}

/** Network of an interface address, e.g. 192.168.10.163/24 → 192.168.10.0/24 (IPv4 only, else as given). */
export function networkOf(local: string, prefixlen: number): string {
  const v4 = local.includes(':') ? undefined : ipv4Number(local);
  if (v4 !== undefined && Number.isInteger(prefixlen) && prefixlen >= 0 && prefixlen <= 32) {
    const size = 2 ** (32 - prefixlen);
    const net = Math.floor(v4 / size) * size;
    return `${Math.floor(net / 2 ** 24) % 256}.${Math.floor(net / 2 ** 16) % 256}.${Math.floor(net / 2 ** 8) % 256}.${net % 256}/${prefixlen}`;
  }
  const parsed = parseIp(local);
  if (parsed === null || parsed.family !== 'inet') return `${local}/${prefixlen}`;
  const shift = BigInt(32 - prefixlen);
  const net = (parsed.value >> shift) << shift;
  const octets = [24n, 16n, 8n, 0n].map((s) => String((net >> s) & 255n));
  return `${octets.join('.')}/${prefixlen}`;
}

export function isMulticast(ip: string): boolean {
  const parsed = parseIp(ip);
  if (parsed === null) return false;
  return parsed.family === 'inet' ? parsed.value >> 28n === 14n : parsed.value >> 120n === 0xffn;
}

/** Loopback and link-local networks, parsed once: every address of every device is checked against them. */
const HOST_ONLY = ['127.0.0.0/8', '169.254.0.0/16', '::1/128', 'fe80::/10'].map((cidr) => {
  const [addr, len] = cidr.split('/');
  const net = parseIp(addr) as ParsedIp;
  const shift = BigInt(net.bits - Number(len));
  return { family: net.family, shift, prefix: net.value >> shift };
});

const HOST_ONLY_V4 = HOST_ONLY.filter((n) => n.family === 'inet').map((n) => ({ size: 2 ** Number(n.shift), prefix: Number(n.prefix) }));

/** Loopback and link-local addresses never identify a pod or a host on the network. */
export function isHostOnly(ip: string): boolean {
  if (!ip.includes(':')) {
    const v4 = ipv4Number(ip);
    return v4 !== undefined && HOST_ONLY_V4.some((n) => Math.floor(v4 / n.size) === n.prefix);
  }
  const target = parseIp(ip);
  return target !== null && HOST_ONLY.some((n) => n.family === target.family && target.value >> n.shift === n.prefix);
}

/** Addresses that are never unique by design: loopback, link-local, unspecified. */
export function isSpecialAddress(ip: string): boolean {
  return isHostOnly(ip) || ip === '0.0.0.0' || ip === '::';
}
