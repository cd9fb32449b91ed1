/** Address helpers for the rules, on top of the topology's IPv4/IPv6 arithmetic. Pure. */
import { ipInCidr, ipv4Number, networkOf as networkOfAddress } from '@/lib/topology/ip';

export function parseIpv4(ip: string): number | undefined {
  return ipv4Number(ip);
}

export function isIpv4(ip: string): boolean {
  return parseIpv4(ip) !== undefined;
}

/** Splits "10.0.0.0/24" (or a bare address, meaning a host prefix) into address and prefix length. */
export function parseCidr(cidr: string): { address: string; prefixlen: number } | undefined {
  const [address, len, extra] = cidr.split('/');
  if (address === undefined || address === '' || extra !== undefined) return undefined;
  const max = isIpv4(address) ? 32 : 128;
  const prefixlen = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefixlen) || prefixlen < 0 || prefixlen > max) return undefined;
  return { address, prefixlen };
}

/** True when `ip` lies in `cidr`, IPv4 or IPv6; `default` holds every address (callers pick the family's table). */
export function inCidr(ip: string, cidr: string): boolean {
  return cidr === 'default' || ipInCidr(ip, cidr);
}

/** The network of an IPv4 interface address with its prefix, e.g. 10.132.2.46/23 → "10.132.2.0/23". */
export function networkOf(ip: string, prefixlen: number): string | undefined {
  return isIpv4(ip) && prefixlen >= 0 && prefixlen <= 32 ? networkOfAddress(ip, prefixlen) : undefined;
}

export function sameMac(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

export function isZeroMac(mac: string | undefined): boolean {
  return mac === undefined || /^(00:){5}00$/.test(mac);
}
