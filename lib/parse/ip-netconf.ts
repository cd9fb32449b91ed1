/**
 * `ip -j netconf show` / `ip netconf show`: per IPv4 device (and `all`, `default`) its forwarding and rp_filter, as
 * the kernel's netconf messages carry them. Read into the keys `sysctl` prints for the same settings, so that rules
 * read one table whichever listing a capture holds: net.ipv4.ip_forward is the `all` entry's forwarding (the same
 * kernel value), net.ipv4.conf.DEV.rp_filter each entry's own rp_filter (not the effective maximum with `all`).
 * iproute2 names rp_filter 0, 1 and 2 off, strict and loose, and prints any other value as a number (JSON) or, in old
 * releases, as "unknown mode"; forwarding is a JSON boolean or on/off in text.
 */
import type { ParseProblem } from './types';
import type { Parser } from './parser';
import { jsonObjects, lineProblem, toInput } from './parser';
import { bool, num, str } from './json-fields';

const RP_FILTER_MODES: Readonly<Record<string, string>> = { off: '0', strict: '1', loose: '2' };
const ON_OFF: Readonly<Record<string, string>> = { on: '1', off: '0' };
/** How iproute2 names the IPv4 family in this listing: "ipv4" before the JSON rewrite, "inet" after. */
const IPV4 = new Set(['inet', 'ipv4']);

function put(sysctls: Record<string, string>, dev: string, forwarding: string | undefined, rpFilter: string | undefined): void {
  if (dev === 'all' && forwarding !== undefined) sysctls['net.ipv4.ip_forward'] = forwarding;
  if (rpFilter !== undefined) sysctls[`net.ipv4.conf.${dev}.rp_filter`] = rpFilter;
}

export const parseIpNetconf: Parser = (record) => {
  const input = toInput(record);
  const sysctls: Record<string, string> = {};
  const problems: ParseProblem[] = [];
  if (input.isJson) {
    for (const o of jsonObjects(input, problems)) {
      const dev = str(o, 'interface');
      if (!IPV4.has(str(o, 'family') ?? '') || dev === undefined) continue;
      const fwd = bool(o, 'forwarding');
      const mode = str(o, 'rp_filter');
      const rp = mode !== undefined ? RP_FILTER_MODES[mode] : num(o, 'rp_filter')?.toString();
      put(sysctls, dev, fwd === undefined ? undefined : fwd ? '1' : '0', rp);
    }
    return { state: { sysctls }, problems };
  }
  // "inet eth0 forwarding off rp_filter loose ...", older "ipv4 dev eth0 forwarding on rp_filter strict ...".
  input.lines.forEach((line, i) => {
    const ws = line.trim().split(/\s+/);
    if (ws[0] === '') return;
    if (!IPV4.has(ws[0])) {
      if (!/^(inet6|ipv6|mpls|unknown)$/.test(ws[0])) problems.push(lineProblem(input.command, i + 1, line, 'not a netconf line: skipped'));
      return;
    }
    const dev = ws[1] === 'dev' ? ws[2] : ws[1];
    if (dev === undefined) return;
    const after = (key: string) => {
      const at = ws.indexOf(key, 2);
      return at < 0 ? undefined : ws[at + 1];
    };
    const mode = after('rp_filter');
    put(sysctls, dev, ON_OFF[after('forwarding') ?? ''], mode === undefined ? undefined : (RP_FILTER_MODES[mode] ?? (/^\d+$/.test(mode) ? mode : undefined)));
  });
  return { state: { sysctls }, problems };
};
