/** `ip -j neigh show`, `ip neigh`, and the net-tools forms `arp -n` and `arp -a`. */
import type { Neighbor, ParseProblem } from './types';
import type { ParseInput, Parser } from './parser';
import { deviceOf, lineProblem, textSource, toInput, itemsFromJson } from './parser';
import { bool, num, str, strings, type JsonObject } from './json-fields';
import { valueAfter, words } from './text-lines';
import { stripUndefined } from './ip-link';

const NUD_STATES = new Set(['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT', 'NONE']);

export const parseIpNeigh: Parser = (record) => {
  const input = toInput(record);
  const { neighbors, problems } = input.isJson ? neighborsFromJson(input) : neighborsFromText(input);
  return { state: { neighbors }, problems };
};

function neighborsFromJson(input: ParseInput): { neighbors: Neighbor[]; problems: ParseProblem[] } {
  const { items, problems } = itemsFromJson(input, 'not a neighbour object (no dst/dev)', (o, source) => {
    const dst = str(o, 'dst');
    const dev = str(o, 'dev') ?? deviceOf(input);
    if (dst === undefined || dev === undefined) return undefined;
    const router = 'router' in o ? (bool(o, 'router') ?? o.router === null) : undefined;
    return stripUndefined({ dst, dev, lladdr: str(o, 'lladdr'), state: strings(o, 'state'), router: router || undefined, ...jsonAge(o), source });
  });
  return { neighbors: items, problems };
}

function neighborsFromText(input: ParseInput): { neighbors: Neighbor[]; problems: ParseProblem[] } {
  const neighbors: Neighbor[] = [];
  const problems: ParseProblem[] = [];
  input.lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const ws = words(line);
    const dev = valueAfter(ws, 'dev') ?? deviceOf(input);
    if (ws.length < 2 || dev === undefined || !/^[0-9a-f.:]+$/i.test(ws[0])) {
      problems.push(lineProblem(input.command, i + 1, line, 'not a neighbour line: skipped'));
      return;
    }
    neighbors.push(
      stripUndefined({
        dst: ws[0],
        dev,
        lladdr: valueAfter(ws, 'lladdr'),
        state: ws.filter((w) => NUD_STATES.has(w)),
        router: ws.includes('router') || undefined,
        ...textAge(line),
        source: textSource(input.command, [line]),
      }),
    );
  });
  return { neighbors, problems };
}

type Ages = Pick<Neighbor, 'age' | 'probes'>;

const seconds = (n: number | undefined): number | undefined => (n !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined);

/** `"used": 3, "confirmed": 63, "updated": 0, "probes": 6` of `ip -j -s neigh`. */
function jsonAge(value: JsonObject): Ages {
  const [used, confirmed, updated] = (['used', 'confirmed', 'updated'] as const).map((k) => seconds(num(value, k)));
  const probes = seconds(num(value, 'probes'));
  const age = used !== undefined && confirmed !== undefined && updated !== undefined ? { used, confirmed, updated } : undefined;
  return stripUndefined({ age, probes });
}

/** `used 3/63/0 probes 6` of `ip -s neigh` (some versions print `3/63/0probes 6`, with no space). */
function textAge(line: string): Ages {
  const m = /\bused\s+(\d+)\/(\d+)\/(\d+)/.exec(line);
  const p = /probes\s+(\d+)/.exec(line);
  const age = m ? { used: Number(m[1]), confirmed: Number(m[2]), updated: Number(m[3]) } : undefined;
  return stripUndefined({ age, probes: p ? Number(p[1]) : undefined });
}

const MAC = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;

/**
 * `arp -n` (table) and `arp -a` (BSD style). net-tools only knows complete (C), permanent (M) and
 * incomplete entries, so complete entries get the state "COMPLETE" rather than a guessed NUD state.
 */
export const parseArp: Parser = (record) => {
  const input = toInput(record);
  const neighbors: Neighbor[] = [];
  const problems: ParseProblem[] = [];
  input.lines.forEach((line, i) => {
    if (line.trim() === '' || /^Address\s+HWtype/.test(line) || /^Entries:/.test(line)) return;
    const neighbor = /^\S+\s+\([0-9a-f.:]+\)\s+at\s/i.test(line) ? arpAFromLine(line) : arpNFromLine(line);
    if (neighbor) neighbors.push({ ...neighbor, source: textSource(input.command, [line]) });
    else problems.push(lineProblem(input.command, i + 1, line, 'not an arp line: skipped'));
  });
  return { state: { neighbors }, problems };
};

/** `? (10.0.0.1) at aa:bb:cc:dd:ee:ff [ether] PERM on eth0`, `? (10.0.0.9) at <incomplete> on eth0`. */
function arpAFromLine(line: string): Neighbor | undefined {
  const m = /\(([0-9a-f.:]+)\)\s+at\s+(\S+)(.*)\son\s+(\S+)/i.exec(line);
  if (!m) return undefined;
  const [, dst, at, middle, dev] = m;
  const lladdr = MAC.test(at) ? at : undefined;
  const state = lladdr === undefined ? ['INCOMPLETE'] : /\bPERM\b/.test(middle) ? ['PERMANENT'] : ['COMPLETE'];
  return stripUndefined({ dst, dev, lladdr, state });
}

/** `10.0.0.1  ether  aa:bb:cc:dd:ee:ff  C  eth0` or `10.0.0.9  (incomplete)  eth0`. */
function arpNFromLine(line: string): Neighbor | undefined {
  const ws = words(line);
  if (ws.length < 3 || !/^[0-9a-f.:]+$/i.test(ws[0])) return undefined;
  const dev = ws[ws.length - 1];
  if (ws[1] === '(incomplete)') return { dst: ws[0], dev, state: ['INCOMPLETE'] };
  const lladdr = ws.find((w) => MAC.test(w));
  if (lladdr === undefined) return undefined;
  const flags = ws[ws.indexOf(lladdr) + 1] ?? '';
  return { dst: ws[0], dev, lladdr, state: [flags.includes('M') ? 'PERMANENT' : 'COMPLETE'] };
}
