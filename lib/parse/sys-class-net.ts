/**
 * Devices as /sys/class/net tells them (the collector's fallback where `ip` is missing, lib/commands/sys-class-net.ts):
 * one line per device, `NAME file=value ...`. What iproute2 would print is rebuilt from it: flags in iproute2's
 * words and order, the operstate in capitals, the kind where sysfs names it.
 */
import type { Interface, ParseProblem } from './types';
import type { Parser } from './parser';
import { lineProblem, textSource, toInput } from './parser';
import { words } from './text-lines';
import { stripUndefined } from './ip-link';

/** include/uapi/linux/if.h, in the order iproute2's print_link_flags prints them. */
const FLAG_BITS: readonly (readonly [string, number])[] = [
  ['LOOPBACK', 0x8],
  ['BROADCAST', 0x2],
  ['POINTOPOINT', 0x10],
  ['MULTICAST', 0x1000],
  ['NOARP', 0x80],
  ['NOTRAILERS', 0x20],
  ['DEBUG', 0x4],
  ['DYNAMIC', 0x8000],
  ['AUTOMEDIA', 0x4000],
  ['PORTSEL', 0x2000],
  ['SLAVE', 0x800],
  ['MASTER', 0x400],
  ['UP', 0x1],
];
/** ARPHRD_LOOPBACK and ARPHRD_NONE (a tun device in tun mode, which has no link-layer address). */
const ARPHRD_LOOPBACK = 772;
const ARPHRD_NONE = 65534;
/** IFF_TUN and IFF_TAP in tun_flags. */
const TUN_TYPES: readonly (readonly [string, number])[] = [
  ['tun', 0x1],
  ['tap', 0x2],
];
/** br_private_stp.h port states, as iproute2 names them. */
const BRIDGE_PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i;

function hexOf(text: string | undefined): number | undefined {
  return text !== undefined && /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text.slice(2), 16) : undefined;
}

function intOf(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * sysfs `flags` is the device's own word: PROMISC and ALLMULTI there count every user of the mode (a bridge makes
 * its ports promiscuous), where iproute2 shows only what a person set, so they are left out; RUNNING iproute2 never
 * shows. LOWER_UP is the carrier of a device that is up; NO-CARRIER its absence.
 */
function flagWords(flags: number, carrier: boolean): string[] {
  const up = (flags & 0x1) !== 0;
  const out = FLAG_BITS.filter(([, bit]) => (flags & bit) !== 0).map(([name]) => name);
  if (up && carrier) out.push('LOWER_UP');
  if (up && !carrier) out.unshift('NO-CARRIER');
  return out;
}

function kindOf(f: Record<string, string>): string {
  if (intOf(f.type) === ARPHRD_LOOPBACK) return 'loopback';
  if (f.devtype !== undefined) return f.devtype;
  if (f.tun_flags !== undefined) return 'tun';
  return 'device';
}

function interfaceFrom(name: string, f: Record<string, string>, line: string, command: string): Interface | undefined {
  const ifindex = intOf(f.ifindex);
  const flags = hexOf(f.flags);
  if (ifindex === undefined || flags === undefined) return undefined;
  const flagList = flagWords(flags, f.carrier === '1');
  const tunFlags = hexOf(f.tun_flags);
  const portState = intOf(f.brport_state);
  return stripUndefined({
    ifindex,
    name,
    kind: kindOf(f),
    mac: intOf(f.type) !== ARPHRD_NONE && f.address !== undefined && MAC.test(f.address) ? f.address : undefined,
    mtu: intOf(f.mtu),
    operstate: f.operstate?.toUpperCase(),
    flags: flagList,
    up: flagList.includes('UP'),
    lowerUp: flagList.includes('LOWER_UP'),
    master: f.master,
    slaveKind: portState !== undefined ? 'bridge' : undefined,
    addresses: [],
    bridgePortState: portState !== undefined ? BRIDGE_PORT_STATES[portState] : undefined,
    tunType: tunFlags !== undefined ? TUN_TYPES.find(([, bit]) => (tunFlags & bit) !== 0)?.[0] : undefined,
    source: textSource(command, [line]),
  });
}

/**
 * iflink is the device's own ifindex for a device with no lower one. Two devices of the namespace naming each other
 * are the ends of a veth pair, named as iproute2 names a same-namespace peer; any other iflink is an ifindex in a
 * namespace sysfs cannot tell (the kernel's link-netnsid is not in sysfs), kept as the peer's ifindex.
 */
function applyPeers(devices: readonly Device[]): void {
  const byIndex = new Map(devices.map((d) => [d.iface.ifindex, d]));
  for (const { iface, iflink } of devices) {
    if (iflink === undefined || iflink === iface.ifindex) continue;
    const peer = byIndex.get(iflink);
    if (peer === undefined || peer.iflink !== iface.ifindex) {
      iface.linkIndex = iflink;
      continue;
    }
    iface.link = peer.iface.name;
    if (iface.kind === 'device') iface.kind = 'veth';
  }
}

interface Device {
  iface: Interface;
  iflink?: number;
}

export const parseSysClassNet: Parser = (record) => {
  const input = toInput(record);
  const devices: Device[] = [];
  const problems: ParseProblem[] = [];
  input.lines.forEach((line, i) => {
    const [name, ...pairs] = words(line);
    if (name === undefined) return;
    const fields: Record<string, string> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq > 0) fields[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const iface = interfaceFrom(name, fields, line, input.command);
    if (iface) devices.push({ iface, iflink: intOf(fields.iflink) });
    else problems.push(lineProblem(input.command, i + 1, line, 'not a device line (no ifindex or flags): skipped'));
  });
  applyPeers(devices);
  // iproute2 lists devices by ifindex; the glob read them by name.
  const interfaces = devices.map((d) => d.iface).sort((a, b) => a.ifindex - b.ifindex);
  return { state: { interfaces }, problems };
};
