/**
 * net-tools `route -n` / `netstat -rn` (and `route` without -n, whose names cannot be resolved back and are kept as
 * printed): `Destination Gateway Genmask Flags Metric Ref Use Iface`, or `… Flags MSS Window irtt Iface`.
 */
import type { ParseProblem, Route } from './types';
import type { Parser } from './parser';
import { lineProblem, textSource, toInput } from './parser';
import { words } from './text-lines';

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

function prefixLength(mask: string): number | undefined {
  if (!IPV4.test(mask)) return undefined;
  const bits = mask
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') < 0 ? 32 : bits.indexOf('0')) : undefined;
}

export const parseRouteN: Parser = (record) => {
  const input = toInput(record);
  const routes: Route[] = [];
  const problems: ParseProblem[] = [];
  let columns: string[] = ['Destination', 'Gateway', 'Genmask', 'Flags', 'Metric', 'Ref', 'Use', 'Iface'];
  input.lines.forEach((line, i) => {
    const ws = words(line);
    if (ws.length === 0 || /^Kernel IP routing table/i.test(line)) return;
    if (ws[0] === 'Destination') {
      columns = ws;
      return;
    }
    const at = (name: string): string | undefined => {
      const k = columns.indexOf(name);
      return k < 0 ? undefined : ws[k];
    };
    const [dst, gw, mask, flags, dev] = [at('Destination'), at('Gateway'), at('Genmask'), at('Flags') ?? '', ws[ws.length - 1]];
    const len = mask === undefined ? undefined : prefixLength(mask);
    if (ws.length !== columns.length || dst === undefined || len === undefined || !/^[UGHRDMAC!]+$/.test(flags)) {
      problems.push(lineProblem(input.command, i + 1, line, 'not a route -n line: skipped'));
      return;
    }
    if (!IPV4.test(dst) && dst !== 'default') {
      problems.push(lineProblem(input.command, i + 1, line, `destination ${dst} is a name (route without -n): skipped`));
      return;
    }
    const route: Route = {
      family: 'inet',
      dst: len === 0 && (dst === '0.0.0.0' || dst === 'default') ? 'default' : len === 32 ? dst : `${dst}/${len}`,
      flags: [],
      source: textSource(input.command, [line]),
    };
    if (flags.includes('!')) route.type = 'unreachable';
    if (flags.includes('G') && gw !== undefined && IPV4.test(gw) && gw !== '0.0.0.0') route.gateway = gw;
    if (dev !== '*' && dev !== '-') route.dev = dev;
    else if (!flags.includes('!')) route.type = 'blackhole';
    if (!flags.includes('G')) route.scope = 'link';
    const metric = Number(at('Metric'));
    if (columns.includes('Metric') && Number.isInteger(metric) && metric > 0) route.metric = metric;
    routes.push(route);
  });
  return { state: { routes }, problems };
};
