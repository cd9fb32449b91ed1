/** IPv4/IPv6 address arithmetic for prefix matching. Pure. */
import { ipv4Number } from '@/lib/topology/ip';

export function parseIpv4(ip: string): number | undefined {
  return ipv4Number(ip);
}

export function isIpv4(ip: string): boolean {
  return parseIpv4(ip) !== undefined;
}

/** Splits "10.0.0.0/24" (or a bare address, meaning a host prefix) into address and prefix length. */
export function parseCidr(cidr: string): { address: string; prefixlen: number } | undefined {
  const [address, len] = cidr.split('/');
  if (address === undefined || address === '') return undefined;
  const max = isIpv4(address) ? 32 : 128;
  const prefixlen = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefixlen) || prefixlen < 0 || prefixlen > max) return undefined;
  return { address, prefixlen };
}

export function ipv4InPrefix(ip: string, network: string, prefixlen: number): boolean {
  const a = parseIpv4(ip);
  const n = parseIpv4(network);
  if (a === undefined || n === undefined) return false;
  if (prefixlen === 0) return true;
  const size = 2 ** (32 - prefixlen);
  return Math.floor(a / size) === Math.floor(n / size);
}

/** True when `ip` lies in `cidr`; IPv6 is only matched exactly (host routes and equal addresses). */
export function inCidr(ip: string, cidr: string): boolean {
  if (cidr === 'default') return true;
  const parsed = parseCidr(cidr);
  if (!parsed) return false;
  if (isIpv4(ip)) return ipv4InPrefix(ip, parsed.address, parsed.prefixlen);
  return parsed.prefixlen === 128 && parsed.address.toLowerCase() === ip.toLowerCase();
}

/** The network part of an address with its prefix, e.g. 10.132.2.46/23 → "10.132.2.0/23". */
export function networkOf(ip: string, prefixlen: number): string | undefined {
  const a = parseIpv4(ip);
  if (a === undefined) return undefined;
  const size = 2 ** (32 - prefixlen);
  const n = Math.floor(a / size) * size;
  return `${[24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')}/${prefixlen}`;
}

/** Addresses that are never unique by design: loopback, link-local, unspecified. */
export function isSpecialAddress(ip: string): boolean {
  const v4 = parseIpv4(ip);
  // 127.0.0.0/8 and 169.254.0.0/16
  if (v4 !== undefined) return Math.floor(v4 / 2 ** 24) === 127 || Math.floor(v4 / 2 ** 16) === 169 * 256 + 254 || ip === '0.0.0.0';
  const lower = ip.toLowerCase();
  return lower === '::1' || lower === '::' || lower.startsWith('fe80:');
}

export function sameMac(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

export function isZeroMac(mac: string | undefined): boolean {
  return mac === undefined || /^(00:){5}00$/.test(mac);
}
