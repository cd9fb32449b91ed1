/**
 * /proc/net/arp, read where `ip` is missing: `IP address  HW type  Flags  HW address  Mask  Device`. It holds the
 * IPv4 neighbours only (there is no /proc file of IPv6 ones), and its flags tell a permanent entry from a resolved
 * one but not the NUD state: a resolved entry is COMPLETE, as the arp readers write it.
 */
import type { Neighbor, ParseProblem } from './types';
import type { Parser } from './parser';
import { lineProblem, textSource, toInput } from './parser';
import { words } from './text-lines';

/** include/uapi/linux/if_arp.h */
const ATF_COM = 0x02;
const ATF_PERM = 0x04;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i;

function neighborFrom(line: string, command: string): Neighbor | undefined {
  const ws = words(line);
  if (ws.length !== 6) return undefined;
  const [dst, , flagsHex, lladdr, , dev] = ws;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(dst) || !/^0x[0-9a-f]+$/i.test(flagsHex) || !MAC.test(lladdr)) return undefined;
  const flags = Number.parseInt(flagsHex.slice(2), 16);
  const source = textSource(command, [line]);
  if ((flags & ATF_PERM) !== 0) return { dst, dev, lladdr, state: ['PERMANENT'], source };
  if ((flags & ATF_COM) !== 0) return { dst, dev, lladdr, state: ['COMPLETE'], source };
  return { dst, dev, state: ['INCOMPLETE'], source };
}

export const parseProcNetArp: Parser = (record) => {
  const input = toInput(record);
  const neighbors: Neighbor[] = [];
  const problems: ParseProblem[] = [];
  input.lines.forEach((line, i) => {
    if (line.trim() === '' || /^IP address\s+HW type/.test(line)) return;
    const neighbor = neighborFrom(line, input.command);
    if (neighbor) neighbors.push(neighbor);
    else problems.push(lineProblem(input.command, i + 1, line, 'not a /proc/net/arp line: skipped'));
  });
  return { state: { neighbors }, problems };
};
