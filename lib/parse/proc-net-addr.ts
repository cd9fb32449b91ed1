/**
 * Addresses where `ip` is missing, from `cat /proc/net/if_inet6 /proc/net/route /proc/net/fib_trie`.
 *
 * IPv6: if_inet6 names each address's device, ifindex, prefix length and scope.
 * IPv4: no file names an address's device. fib_trie lists the local addresses (`/32 host LOCAL` under the address);
 * the prefix route the kernel adds with each address (/proc/net/route: no gateway, the address's device) gives the
 * device and the prefix length, the longest such route containing the address. An address on a loopback device has
 * its prefix as a local route instead (127.0.0.0/8 host LOCAL). An address with no prefix route (a /32, or one added
 * with noprefixroute) cannot be placed: it is reported, not guessed.
 */
import type { Address, Interface, ParseProblem } from './types';
import type { Parser } from './parser';
import { lineProblem, textSource, toInput } from './parser';
import { inPrefix, ipv6FromHex } from './proc-net-hex';
import { ipv4RouteFromLine } from './proc-net-route';

const IF_INET6 = /^([0-9a-f]{32})\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S+)$/i;
const ROUTE_HEADER = /^Iface\s+Destination\s+Gateway\s/;
const TRIE_SECTION = /^(Main|Local|Id \d+):$/;
const TRIE_NODE = /^\s+\+-- \d+\.\d+\.\d+\.\d+\/\d+ /;
const TRIE_LEAF = /^[\s|]*\|-- (\d+\.\d+\.\d+\.\d+)$/;
const TRIE_INFO = /^\s+\/(\d+) (\S+) ([A-Z]+)(?: tos \d+)?$/;
/** The address scopes of if_inet6 (IPV6_ADDR_SCOPE_*), as iproute2 names them. */
const SCOPES: Readonly<Record<number, string>> = { 0x00: 'global', 0x10: 'host', 0x20: 'link', 0x40: 'site' };

interface Placed {
  dev: string;
  ifindex: number;
  address: Address;
  line: string;
}

interface Connected {
  dev: string;
  network: string;
  prefixlen: number;
}

class AddressReader {
  readonly placed: Placed[] = [];
  readonly problems: ParseProblem[] = [];
  private readonly connected: Connected[] = [];
  private readonly localPrefixes: { network: string; prefixlen: number }[] = [];
  private readonly locals = new Map<string, { line: number; text: string }>();
  private leaf: string | undefined;

  constructor(private readonly command: string) {}

  read(line: string, lineNo: number): void {
    const inet6 = IF_INET6.exec(line);
    if (inet6) return this.readInet6(inet6, line, lineNo);
    if (line.trim() === '' || ROUTE_HEADER.test(line) || TRIE_SECTION.test(line) || TRIE_NODE.test(line)) return;
    const leaf = TRIE_LEAF.exec(line);
    if (leaf) {
      this.leaf = leaf[1];
      return;
    }
    const info = TRIE_INFO.exec(line);
    if (info) return this.readTrieInfo(Number(info[1]), info[3], line, lineNo);
    const route = /\t/.test(line) ? ipv4RouteFromLine(line, this.command) : undefined;
    if (route) return this.readRoute(route.dst, route.gateway, route.dev);
    this.problems.push(lineProblem(this.command, lineNo, line, 'not a line of if_inet6, route or fib_trie: skipped'));
  }

  private readInet6(m: RegExpExecArray, line: string, lineNo: number): void {
    const local = ipv6FromHex(m[1]);
    const ifindex = Number.parseInt(m[2], 16);
    const prefixlen = Number.parseInt(m[3], 16);
    if (local === undefined || prefixlen > 128) {
      this.problems.push(lineProblem(this.command, lineNo, line, 'not an if_inet6 line: skipped'));
      return;
    }
    const scope = SCOPES[Number.parseInt(m[4], 16) & 0xf0];
    const address: Address = scope === undefined ? { family: 'inet6', local, prefixlen } : { family: 'inet6', local, prefixlen, scope };
    this.placed.push({ dev: m[5], ifindex, address, line });
  }

  private readRoute(dst: string, gateway: string | undefined, dev: string | undefined): void {
    if (gateway !== undefined || dev === undefined) return;
    const [network, len] = dst === 'default' ? ['0.0.0.0', '0'] : dst.split('/');
    this.connected.push({ dev, network, prefixlen: len === undefined ? 32 : Number(len) });
  }

  private readTrieInfo(prefixlen: number, type: string, line: string, lineNo: number): void {
    if (type !== 'LOCAL' || this.leaf === undefined) return;
    if (prefixlen < 32) this.localPrefixes.push({ network: this.leaf, prefixlen });
    else if (!this.locals.has(this.leaf)) this.locals.set(this.leaf, { line: lineNo, text: line });
  }

  /** Every IPv4 local address on the device of its prefix route; called once all lines are read. */
  placeIpv4(): void {
    const loopback = this.placed.find((p) => p.address.local === '::1')?.dev ?? 'lo';
    for (const [local, at] of this.locals) {
      const route = this.connected.filter((c) => inPrefix(local, c.network, c.prefixlen)).sort((a, b) => b.prefixlen - a.prefixlen)[0];
      const onLoopback = route ? undefined : this.localPrefixes.filter((p) => inPrefix(local, p.network, p.prefixlen)).sort((a, b) => b.prefixlen - a.prefixlen)[0];
      const text = `${local} ${at.text.trim()}`;
      if (route) this.placed.push({ dev: route.dev, ifindex: 0, address: { family: 'inet', local, prefixlen: route.prefixlen }, line: text });
      else if (onLoopback) this.placed.push({ dev: loopback, ifindex: 0, address: { family: 'inet', local, prefixlen: onLoopback.prefixlen, scope: 'host' }, line: text });
      else this.problems.push(lineProblem(this.command, at.line, text, `local address ${local} has no prefix route naming its device (a /32 or noprefixroute address): not placed`));
    }
  }
}

/**
 * One interface per device, holding its addresses: IPv4 first, then IPv6, as iproute2 lists them. The ifindex is
 * if_inet6's, or 0 (unknown) for a device with IPv4 addresses only; the device's own listing supplies the rest.
 */
function interfacesOf(placed: readonly Placed[], command: string): Interface[] {
  const byDev = new Map<string, Placed[]>();
  for (const p of placed) {
    const rows = byDev.get(p.dev);
    if (rows) rows.push(p);
    else byDev.set(p.dev, [p]);
  }
  return [...byDev].map(([name, rows]) => {
    const ordered = [...rows.filter((r) => r.address.family === 'inet'), ...rows.filter((r) => r.address.family === 'inet6')];
    const ifindex = rows.find((r) => r.ifindex > 0)?.ifindex ?? 0;
    return {
      ifindex,
      name,
      kind: 'device',
      flags: [],
      up: false,
      lowerUp: false,
      addresses: ordered.map((r) => r.address),
      source: textSource(
        command,
        ordered.map((r) => r.line),
      ),
    };
  });
}

export const parseProcNetAddr: Parser = (record) => {
  const input = toInput(record);
  const reader = new AddressReader(input.command);
  input.lines.forEach((line, i) => reader.read(line, i + 1));
  reader.placeIpv4();
  return { state: { interfaces: interfacesOf(reader.placed, input.command) }, problems: reader.problems };
};
