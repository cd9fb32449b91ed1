/** `iptables-save [-t TABLE]` and `iptables [-t TABLE] -S`: one FirewallRule per -A (or -I) line, read into its parts. */
import type { FirewallInterface, FirewallMatches, FirewallOption, FirewallRule, FirewallTarget, FirewallValue, ParseProblem, SourceRef } from './types';
import type { Parser } from './parser';
import { lineProblem, textSource, toInput } from './parser';

interface Word {
  text: string;
  /** A quoted word is always a value, even one that starts with "-" or is "!". */
  quoted: boolean;
}

/** Splits like a shell for the quoting iptables prints: `--comment "peerpod [vni:555005]"`, `"say \"hi\""`. */
function shellWords(line: string): Word[] {
  const out: Word[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    if (m[1] !== undefined) out.push({ text: m[1].replace(/\\(.)/g, '$1'), quoted: true });
    else if (m[2] !== undefined) out.push({ text: m[2], quoted: true });
    else out.push({ text: m[3] ?? '', quoted: false });
  }
  return out;
}

/**
 * The rule without its packet and byte counters, which `iptables-save -c` prints before it ("[12:720] -A ...") and
 * `iptables -v -S` inside it ("-A INPUT -i lo -c 12 720 -j ACCEPT"): the rule text is also how a fix deletes it.
 */
function withoutCounters(line: string): string {
  return line
    .trim()
    .replace(/^\[\d+:\d+\]\s+/, '')
    .replace(/\s-c\s+\d+\s+\d+(?=\s|$)/, '');
}

type ValueFlag = 'protocol' | 'source' | 'destination' | 'inInterface' | 'outInterface' | 'match' | 'jump' | 'goto';

/** Flags of iptables itself that take one value; every other option belongs to the match module or target before it. */
const VALUE_FLAGS: Record<string, ValueFlag> = {
  '-p': 'protocol',
  '--protocol': 'protocol',
  '-s': 'source',
  '--source': 'source',
  '--src': 'source',
  '-d': 'destination',
  '--destination': 'destination',
  '--dst': 'destination',
  '-i': 'inInterface',
  '--in-interface': 'inInterface',
  '-o': 'outInterface',
  '--out-interface': 'outInterface',
  '-m': 'match',
  '--match': 'match',
  '-j': 'jump',
  '--jump': 'jump',
  '-g': 'goto',
  '--goto': 'goto',
};

function isFlag(w: Word): boolean {
  return !w.quoted && w.text.length > 1 && w.text.startsWith('-');
}

function isBang(w: Word | undefined): boolean {
  return w !== undefined && !w.quoted && w.text === '!';
}

function negatable<T extends object>(base: T, negated: boolean): T & { negated?: boolean } {
  return negated ? { ...base, negated: true } : base;
}

function interfaceMatch(value: string, negated: boolean): FirewallInterface {
  const wildcard = value.endsWith('+');
  const base: FirewallInterface = wildcard ? { name: value.slice(0, -1), wildcard: true } : { name: value };
  return negatable(base, negated);
}

/** Reads the words after the chain: generic matches, `-m` modules with their options, and the target with its own. */
class RuleReader {
  readonly matches: FirewallMatches = { modules: [] };
  target: FirewallTarget | undefined;
  private i = 0;

  constructor(private readonly ws: Word[]) {}

  read(): void {
    while (this.i < this.ws.length) {
      const negated = isBang(this.ws[this.i]);
      if (negated) this.i++;
      const w = this.ws[this.i];
      if (w === undefined) break;
      this.i++;
      const flag = isFlag(w) ? VALUE_FLAGS[w.text] : undefined;
      if (flag !== undefined) this.valueFlag(flag, negated);
      else if (!w.quoted && (w.text === '-f' || w.text === '--fragment')) this.matches.fragment = negatable({}, negated);
      else this.option(isFlag(w) ? w.text : '', isFlag(w) ? [] : [w.text], negated);
    }
  }

  /** The one value after a flag; iptables before 1.4.3 printed the "!" after the flag ("-s ! 10.0.0.0/8"). */
  private value(negated: boolean): FirewallValue | undefined {
    if (isBang(this.ws[this.i])) {
      this.i++;
      negated = true;
    }
    const w = this.ws[this.i];
    if (w === undefined) return undefined;
    this.i++;
    return negatable({ value: w.text }, negated);
  }

  private valueFlag(flag: ValueFlag, negated: boolean): void {
    const v = this.value(negated);
    if (v === undefined) return;
    const neg = v.negated === true;
    if (flag === 'match') this.matches.modules.push({ module: v.value, options: [] });
    else if (flag === 'jump' || flag === 'goto') this.target = { name: v.value, ...(flag === 'goto' ? { goto: true } : {}), options: [] };
    else if (flag === 'inInterface' || flag === 'outInterface') this.matches[flag] = interfaceMatch(v.value, neg);
    else this.matches[flag] = v;
  }

  /** A module's or target's `--option` and the values up to the next flag; a stray value is kept under no name. */
  private option(name: string, first: string[], negated: boolean): void {
    const args = [...first];
    for (let w = this.ws[this.i]; w !== undefined && !isFlag(w); w = this.ws[++this.i]) {
      if (!isBang(w)) args.push(w.text);
      // "--dport ! 22" (before 1.4.3) negates this option; "! --ctstate" negates the next one.
      else if (args.length === 0 && !isFlag(this.ws[this.i + 1] ?? w)) negated = true;
      else break;
    }
    this.optionsHere().push(negatable<FirewallOption>({ name, args }, negated));
  }

  /** Options after `-j` are the target's; before any `-m`, they belong to the protocol's implicit module (`-p udp --dport 53`). */
  private optionsHere(): FirewallOption[] {
    if (this.target) return this.target.options;
    const modules = this.matches.modules;
    const last = modules[modules.length - 1];
    if (last) return last.options;
    const implicit = { module: this.matches.protocol?.value ?? '', options: [] };
    modules.push(implicit);
    return implicit.options;
  }
}

/** One rule line of `iptables-save` or `iptables -S`; undefined for any other line. */
export function readFirewallRule(table: string, line: string, lineNumber: number, source: SourceRef): FirewallRule | undefined {
  const rule = withoutCounters(line);
  const ws = shellWords(rule);
  const op = ws[0]?.text;
  const chain = ws[1];
  if (!(op === '-A' || op === '--append' || op === '-I' || op === '--insert') || chain === undefined) return undefined;
  const inserting = op === '-I' || op === '--insert';
  const position = inserting && ws[2] !== undefined && !ws[2].quoted && /^\d+$/.test(ws[2].text) ? Number(ws[2].text) : undefined;
  const reader = new RuleReader(ws.slice(position === undefined ? 2 : 3));
  reader.read();
  return {
    table,
    chain: chain.text,
    ...(inserting ? { insert: { position: position ?? 1 } } : {}),
    matches: reader.matches,
    ...(reader.target ? { target: reader.target } : {}),
    rule,
    line: lineNumber,
    source,
  };
}

/**
 * The table of rules before any "*TABLE" line: the one -t names; without it, `iptables -S` lists the filter table
 * and `iptables-save` every table ("all": a rule cut from its header is of none a rule can judge).
 */
function firstTable(argv: readonly string[], params: Record<string, string>): string {
  const t = argv.findIndex((a) => a === '-t' || a === '--table');
  const named = params.table ?? (t >= 0 ? argv[t + 1] : undefined);
  if (named !== undefined) return named;
  return /(?:^|\/)iptables-save$/.test(argv[0] ?? '') ? 'all' : 'filter';
}

export const parseIptables: Parser = (record) => {
  const input = toInput(record);
  const firewall: FirewallRule[] = [];
  const problems: ParseProblem[] = [];
  let table = firstTable(input.argv, input.params);
  input.lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed === 'COMMIT') return;
    if (trimmed.startsWith('*')) {
      table = trimmed.slice(1);
      return;
    }
    // chain policies and declarations: ":INPUT ACCEPT [0:0]", "-P INPUT ACCEPT", "-N KUBE-SERVICES"
    if (/^(:\S+|-P\s|-N\s)/.test(trimmed)) return;
    const rule = readFirewallRule(table, line, i + 1, textSource(input.command, [line]));
    if (rule) firewall.push(rule);
    else problems.push(lineProblem(input.command, i + 1, line, 'not an iptables rule line: skipped'));
  });
  return { state: { firewall }, problems };
};
