/**
 * `ip -j -d [-s] link show`, `ip -j addr show` and their text forms (`ip -d link show`, `ip link`, `ip a`,
 * including older iproute2 layouts). Both commands print the same per-device blocks; `ip addr` adds addresses.
 */
import type { Address, Interface, InterfaceStats, ParseProblem, SourceRef, VxlanParams } from './types';
import type { ParseInput, ParseResult, Parser } from './parser';
import { lineProblem, textSource, toInput, itemsFromJson } from './parser';
import { arr, bool, isObject, num, obj, str, strings, type JsonObject } from './json-fields';
import { intOrUndefined, valueAfter, words } from './text-lines';

export const parseIpLink: Parser = (record) => parseLinks(toInput(record));

export function parseLinks(input: ParseInput): ParseResult {
  const result = input.isJson ? parseLinksJson(input) : parseLinksText(input);
  const listed = input.params.type;
  // `ip link show type veth` lists only that kind; without -d nothing else in the output names it.
  if (listed !== undefined) for (const iface of result.state.interfaces ?? []) if (iface.kind === 'device') iface.kind = listed;
  return result;
}

// ---------- JSON ----------

function parseLinksJson(input: ParseInput): ParseResult {
  const { items, problems } = itemsFromJson(input, 'not a link object (no ifindex/ifname)', interfaceFromJson);
  return { state: { interfaces: items }, problems };
}

export function interfaceFromJson(o: JsonObject, source: SourceRef): Interface | undefined {
  const ifindex = num(o, 'ifindex');
  const name = str(o, 'ifname');
  if (ifindex === undefined || name === undefined) return undefined;
  const flags = strings(o, 'flags');
  const linkinfo = obj(o, 'linkinfo');
  const kind = str(linkinfo ?? {}, 'info_kind') ?? (str(o, 'link_type') === 'loopback' ? 'loopback' : 'device');
  // Optional fields are set only when present, in the order the model lists them (see stripUndefined).
  const iface = { ifindex, name, kind } as Interface;
  const mac = str(o, 'link_type') === 'none' ? undefined : str(o, 'address');
  if (mac !== undefined) iface.mac = mac;
  const mtu = num(o, 'mtu');
  if (mtu !== undefined) iface.mtu = mtu;
  const operstate = str(o, 'operstate');
  if (operstate !== undefined) iface.operstate = operstate;
  iface.flags = flags;
  iface.up = flags.includes('UP');
  iface.lowerUp = flags.includes('LOWER_UP');
  const master = str(o, 'master');
  if (master !== undefined) iface.master = master;
  const promiscuity = num(o, 'promiscuity');
  if (promiscuity !== undefined) iface.promiscuity = promiscuity;
  // slice(): an exactly sized copy, where flatMap's result keeps spare capacity for every device.
  iface.addresses = arr(o, 'addr_info').filter(isObject).flatMap(addressFromJson).slice();
  iface.source = source;
  applyJsonLink(iface, o);
  if (linkinfo) applyJsonLinkinfo(iface, linkinfo);
  const stats = obj(o, 'stats64') ?? obj(o, 'stats');
  if (stats) iface.stats = statsFromJson(stats);
  return iface;
}

function applyJsonLink(iface: Interface, o: JsonObject): void {
  let linkIndex = num(o, 'link_index');
  const linkNetnsId = num(o, 'link_netnsid');
  const hasLink = 'link' in o;
  const link = hasLink && typeof o.link === 'string' ? o.link : null;
  if (linkIndex === undefined && link !== null) {
    const unresolved = /^if(\d+)$/.exec(link);
    if (unresolved) linkIndex = Number(unresolved[1]);
  }
  if (linkIndex !== undefined) iface.linkIndex = linkIndex;
  if (linkNetnsId !== undefined) iface.linkNetnsId = linkNetnsId;
  if (hasLink) iface.link = link;
}

function applyJsonLinkinfo(iface: Interface, linkinfo: JsonObject): void {
  const slaveKind = str(linkinfo, 'info_slave_kind');
  if (slaveKind !== undefined) iface.slaveKind = slaveKind;
  const slaveData = obj(linkinfo, 'info_slave_data');
  if (slaveKind === 'bridge' && slaveData) {
    const state = str(slaveData, 'state');
    if (state !== undefined) iface.bridgePortState = state;
  }
  const data = obj(linkinfo, 'info_data');
  if (!data) return;
  if (iface.kind === 'vxlan') iface.vxlan = tunnelFromJson(data);
  if (iface.kind === 'geneve') iface.geneve = tunnelFromJson(data);
  if (iface.kind === 'tun') {
    const tunType = str(data, 'type');
    if (tunType !== undefined) iface.tunType = tunType;
  }
}

function tunnelFromJson(d: JsonObject): VxlanParams {
  return stripUndefined({
    vni: num(d, 'id'),
    remote: str(d, 'remote') ?? str(d, 'remote6'),
    group: str(d, 'group') ?? str(d, 'group6'),
    local: str(d, 'local') ?? str(d, 'local6'),
    port: num(d, 'port'),
    dev: str(d, 'link'),
    external: bool(d, 'external') === true ? true : undefined,
    learning: bool(d, 'learning'),
  });
}

function addressFromJson(a: JsonObject): Address[] {
  const family = str(a, 'family');
  const local = str(a, 'local');
  const prefixlen = num(a, 'prefixlen');
  if ((family !== 'inet' && family !== 'inet6') || local === undefined || prefixlen === undefined) return [];
  return [stripUndefined({ family, local, prefixlen, scope: str(a, 'scope'), peer: str(a, 'address') })];
}

function statsFromJson(s: JsonObject): InterfaceStats {
  const rx = obj(s, 'rx') ?? {};
  const tx = obj(s, 'tx') ?? {};
  return stripUndefined({
    rxPackets: num(rx, 'packets'),
    rxBytes: num(rx, 'bytes'),
    rxErrors: num(rx, 'errors'),
    rxDropped: num(rx, 'dropped'),
    rxOtherhost: num(rx, 'otherhost') ?? num(rx, 'otherhost_dropped'),
    txPackets: num(tx, 'packets'),
    txBytes: num(tx, 'bytes'),
    txErrors: num(tx, 'errors'),
    txDropped: num(tx, 'dropped'),
  });
}

// ---------- text ----------

/** `2: eth0@if9: <flags> mtu …`; a header copied without its index (`eth0: <flags> mtu …`) is read too. */
const HEADER = /^(?:(\d+):\s+(\S+?)|([^\s:<]+?)(?=:\s+<[A-Z0-9_,-]*>\s+mtu\s)):\s+<([^>]*)>\s*(.*)$/;
/** First words of indented lines that are not a device-kind detail line. */
const NOT_KIND = new Set(['addrgenmode', 'alias', 'altname', 'vf', 'prop', 'valid_lft', 'numtxqueues', 'protodown', 'parentbus']);

interface TextBlock {
  start: number;
  lines: string[];
}

function parseLinksText(input: ParseInput): ParseResult {
  const problems: ParseProblem[] = [];
  const blocks: TextBlock[] = [];
  input.lines.forEach((line, i) => {
    if (HEADER.test(line)) blocks.push({ start: i + 1, lines: [line] });
    else if (/^\s+\S/.test(line) && blocks.length > 0) blocks[blocks.length - 1].lines.push(line);
    else if (line.trim() !== '') problems.push(lineProblem(input.command, i + 1, line, 'not a link line: skipped'));
  });
  const interfaces = blocks.map((b) => interfaceFromText(b, input.command));
  return { state: { interfaces }, problems };
}

function interfaceFromText(block: TextBlock, command: string): Interface {
  const m = HEADER.exec(block.lines[0]);
  const [, index, indexedName, bareName, flagText, rest] = m ?? ['', '0', '', undefined, '', ''];
  const nameAndLink = indexedName ?? bareName ?? '';
  const at = nameAndLink.indexOf('@');
  const flags = flagText.split(',').filter((f) => f !== '');
  const ws = words(rest);
  const iface: Interface = {
    // Without its index the device is 0, which no `@ifN` of a peer names.
    ifindex: Number(index ?? 0),
    name: at >= 0 ? nameAndLink.slice(0, at) : nameAndLink,
    kind: 'device',
    mtu: intOrUndefined(valueAfter(ws, 'mtu')),
    operstate: valueAfter(ws, 'state'),
    flags,
    up: flags.includes('UP'),
    lowerUp: flags.includes('LOWER_UP'),
    master: valueAfter(ws, 'master'),
    addresses: [],
    source: textSource(command, block.lines),
  };
  const detail = new TextDetail(iface);
  block.lines.slice(1).forEach((line, i) => detail.read(line, block.lines[i + 2]));
  applyTextLink(iface, at >= 0 ? nameAndLink.slice(at + 1) : undefined, detail.otherNetns);
  return stripUndefined(iface);
}

/** `name@ifN` is the peer's ifindex; `@NONE` means the peer is gone; `@name` a same-namespace peer. */
function applyTextLink(iface: Interface, link: string | undefined, otherNetns: boolean): void {
  if (link === undefined) return;
  if (link === 'NONE') {
    iface.link = null;
    return;
  }
  const index = /^if(\d+)$/.exec(link);
  if (index) iface.linkIndex = Number(index[1]);
  if (!index || !otherNetns) iface.link = link;
}

/** Reads the indented lines of one device block. */
class TextDetail {
  otherNetns = false;
  private sawKind = false;
  constructor(private readonly iface: Interface) {}

  read(line: string, next: string | undefined): void {
    const ws = words(line);
    const first = ws[0] ?? '';
    if (first.startsWith('link/')) this.readLinkLine(first.slice(5), ws);
    else if (first === 'inet' || first === 'inet6') this.readAddress(first, ws);
    else if (/^\s*RX errors:/.test(line) && next !== undefined) this.readErrorStats(line, next);
    else if (/^\s*TX errors:/.test(line)) return;
    else if (/^(RX|TX):?$/.test(first) && next !== undefined) this.readStats(first.slice(0, 2), line, next);
    else if (first.endsWith('_slave')) this.readSlave(first.slice(0, -'_slave'.length), ws);
    else if (!this.sawKind && /^[a-z][a-z0-9_]*$/.test(first) && !NOT_KIND.has(first)) this.readKind(first, ws);
  }

  private readLinkLine(linkType: string, ws: string[]): void {
    if (linkType === 'loopback') this.iface.kind = 'loopback';
    if (linkType !== 'none' && ws[1] !== undefined && /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i.test(ws[1])) this.iface.mac = ws[1];
    const netns = valueAfter(ws, 'link-netns');
    const nsid = intOrUndefined(valueAfter(ws, 'link-netnsid'));
    if (netns !== undefined) this.iface.linkNetns = netns;
    if (nsid !== undefined) this.iface.linkNetnsId = nsid;
    this.otherNetns = netns !== undefined || nsid !== undefined;
    this.iface.promiscuity = intOrUndefined(valueAfter(ws, 'promiscuity'));
  }

  private readAddress(family: 'inet' | 'inet6', ws: string[]): void {
    const peerIndex = ws.indexOf('peer');
    const withPrefix = peerIndex >= 0 ? (ws[peerIndex + 1] ?? '') : (ws[1] ?? '');
    const [peerOrLocal, prefix] = withPrefix.split('/');
    const local = peerIndex >= 0 ? (ws[1] ?? '') : peerOrLocal;
    const defaultPrefix = family === 'inet' ? 32 : 128;
    this.iface.addresses.push(
      stripUndefined({
        family,
        local,
        prefixlen: intOrUndefined(prefix) ?? defaultPrefix,
        scope: valueAfter(ws, 'scope'),
        peer: peerIndex >= 0 ? peerOrLocal : undefined,
      }),
    );
  }

  private readStats(dir: string, header: string, values: string): void {
    const names = words(header.replace(/^\s*(RX|TX):?/, ''));
    const numbers = words(values).map(Number);
    const column = (name: string): number | undefined => {
      const i = names.indexOf(name);
      return i >= 0 && Number.isFinite(numbers[i]) ? numbers[i] : undefined;
    };
    const stats: InterfaceStats = this.iface.stats ?? {};
    if (dir === 'RX') {
      Object.assign(stats, stripUndefined({ rxBytes: column('bytes'), rxPackets: column('packets'), rxErrors: column('errors'), rxDropped: column('dropped') }));
    } else {
      Object.assign(stats, stripUndefined({ txBytes: column('bytes'), txPackets: column('packets'), txErrors: column('errors'), txDropped: column('dropped') }));
    }
    this.iface.stats = stats;
  }

  /** `RX errors: ... otherhost` (iproute2 with -s -s on newer kernels). */
  private readErrorStats(header: string, values: string): void {
    const names = words(header.replace(/^\s*RX errors:/, ''));
    const i = names.indexOf('otherhost');
    const n = Number(words(values)[i]);
    if (i >= 0 && Number.isFinite(n)) this.iface.stats = { ...(this.iface.stats ?? {}), rxOtherhost: n };
  }

  private readSlave(slaveKind: string, ws: string[]): void {
    this.iface.slaveKind = slaveKind;
    if (slaveKind === 'bridge') this.iface.bridgePortState = valueAfter(ws, 'state');
  }

  private readKind(kind: string, ws: string[]): void {
    this.sawKind = true;
    this.iface.kind = kind;
    if (kind === 'vxlan') this.iface.vxlan = tunnelFromText(ws, true);
    if (kind === 'geneve') this.iface.geneve = tunnelFromText(ws, false);
    if (kind === 'tun') this.iface.tunType = valueAfter(ws, 'type');
  }
}

function tunnelFromText(ws: string[], vxlan: boolean): VxlanParams {
  return stripUndefined({
    vni: intOrUndefined(valueAfter(ws, 'id')),
    remote: valueAfter(ws, 'remote'),
    group: valueAfter(ws, 'group'),
    local: valueAfter(ws, 'local'),
    port: intOrUndefined(valueAfter(ws, 'dstport')),
    dev: valueAfter(ws, 'dev'),
    external: ws.includes('external') ? true : undefined,
    learning: vxlan ? !ws.includes('nolearning') : undefined,
  });
}

/**
 * Optional fields stay absent rather than present-and-undefined, so models compare equal. The object itself
 * when no field is undefined, else a copy: deleting keys would leave V8 objects in slow dictionary mode, and
 * parsed state is read millions of times. Callers pass objects they have just made.
 */
export function stripUndefined<T extends object>(o: T): T {
  for (const key in o) if (o[key] === undefined) return definedCopy(o);
  return o;
}

function definedCopy<T extends object>(o: T): T {
  const out = {} as T;
  for (const key in o) if (o[key] !== undefined) out[key] = o[key];
  return out;
}
