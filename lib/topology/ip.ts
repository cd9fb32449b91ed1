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

export function ipFamily(ip: string): IpFamily | null {
  return parseIp(ip)?.family ?? null;
}

/** Prefix length of a route destination: `default` is 0, a bare address is a host route. */
export function prefixLength(cidr: string): number | null {
  if (cidr === 'default') return 0;
  const [addr, len] = cidr.split('/');
  const parsed = parseIp(addr);
  if (parsed === null) return null;
  if (len === undefined) return parsed.bits;
  const n = Number(len);
  return Number.isInteger(n) && n >= 0 && n <= parsed.bits ? n : null;
}

/** True when `ip` lies in `cidr`; `default` contains every address of the same family as `ip`. */
export function ipInCidr(ip: string, cidr: string, family?: IpFamily): boolean {
  const target = parseIp(ip);
  if (target === null) return false;
  if (cidr === 'default') return family === undefined || family === target.family;
  const [addr] = cidr.split('/');
  const net = parseIp(addr);
  const len = prefixLength(cidr);
  if (net === null || len === null || net.family !== target.family) return false;
  const shift = BigInt(net.bits - len);
  return target.value >> shift === net.value >> shift;
}

export function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== null && y !== null && x.family === y.family && x.value === y.value;
}

/** Network of an interface address, e.g. 192.168.10.163/24 → 192.168.10.0/24 (IPv4 only, else as given). */
export function networkOf(local: string, prefixlen: number): string {
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

/** Loopback and link-local addresses never identify a pod or a host on the network. */
export function isHostOnly(ip: string): boolean {
  const target = parseIp(ip);
  return target !== null && HOST_ONLY.some((n) => n.family === target.family && target.value >> n.shift === n.prefix);
}
