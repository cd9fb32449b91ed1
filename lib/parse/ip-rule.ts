/** `ip -j [-d] rule show` and `ip rule show` (iproute2 ip/iprule.c): the policy routing rules, by priority. */
import type { ParseProblem, PolicyRule } from './types';
import type { ParseInput, Parser } from './parser';
import { lineProblem, textSource, toInput, itemsFromJson } from './parser';
import { num, str, type JsonObject } from './json-fields';
import { words } from './text-lines';

export const parseIpRule: Parser = (record) => {
  const input = toInput(record);
  const { rules, problems } = input.isJson ? rulesFromJson(input) : rulesFromText(input);
  return { state: { policyRules: rules }, problems };
};

/** Actions other than a table lookup, as iproute2 names them. */
const ACTIONS: ReadonlySet<string> = new Set(['blackhole', 'unreachable', 'prohibit', 'nop']);

/** The family from the rule's own addresses, else the command's (-6, or -f inet6 kept as a parameter). */
function familyOf(input: ParseInput, ...addresses: (string | undefined)[]): PolicyRule['family'] {
  if (addresses.some((a) => a !== undefined && a.includes(':'))) return 'inet6';
  return input.argv.includes('-6') || input.params.family === 'inet6' ? 'inet6' : 'inet';
}

function prefix(o: JsonObject, key: string): string | undefined {
  const address = str(o, key);
  const len = num(o, `${key}len`);
  return address === undefined || len === undefined ? address : `${address}/${len}`;
}

/** A port or a range: `sport` alone, or `sport_start`/`sport_end`. */
function portOf(o: JsonObject, key: string): string | undefined {
  const single = num(o, key);
  if (single !== undefined) return String(single);
  const start = num(o, `${key}_start`);
  const end = num(o, `${key}_end`);
  return start === undefined || end === undefined ? undefined : `${start}-${end}`;
}

function ruleFromJson(input: ParseInput, o: JsonObject, priority: number): PolicyRule {
  const from = prefix(o, 'src') ?? 'all';
  const to = prefix(o, 'dst');
  const rule: PolicyRule = { family: familyOf(input, from, to), priority, from };
  if ('not' in o) rule.not = true;
  if (to !== undefined) rule.to = to;
  const fwmark = str(o, 'fwmark');
  const fwmask = str(o, 'fwmask');
  const uidStart = num(o, 'uid_start');
  const uidEnd = num(o, 'uid_end');
  const optional: Partial<PolicyRule> = {
    iif: str(o, 'iif'),
    oif: str(o, 'oif'),
    fwmark: fwmark === undefined ? undefined : fwmask === undefined ? fwmark : `${fwmark}/${fwmask}`,
    ipproto: str(o, 'ipproto'),
    sport: portOf(o, 'sport'),
    dport: portOf(o, 'dport'),
    uidrange: uidStart === undefined || uidEnd === undefined ? undefined : `${uidStart}-${uidEnd}`,
    table: str(o, 'table'),
    action: num(o, 'goto') !== undefined ? 'goto' : str(o, 'action'),
    goto: num(o, 'goto'),
    suppressPrefixlength: num(o, 'suppress_prefixlen'),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(rule, { [key]: value });
  return rule;
}

function rulesFromJson(input: ParseInput): { rules: PolicyRule[]; problems: ParseProblem[] } {
  const { items, problems } = itemsFromJson(input, 'not a rule object (no priority)', (o, source) => {
    const priority = num(o, 'priority');
    return priority === undefined ? undefined : { ...ruleFromJson(input, o, priority), source };
  });
  return { rules: items, problems };
}

type TextField = 'from' | 'to' | 'iif' | 'oif' | 'fwmark' | 'ipproto' | 'sport' | 'dport' | 'uidrange' | 'table';

/** Selectors and settings printed as `word VALUE`, by the field they fill. */
const VALUE_WORDS: Readonly<Record<string, TextField | undefined>> = {
  from: 'from',
  to: 'to',
  iif: 'iif',
  oif: 'oif',
  fwmark: 'fwmark',
  ipproto: 'ipproto',
  sport: 'sport',
  dport: 'dport',
  uidrange: 'uidrange',
  lookup: 'table',
  // Printed but not kept: the value is skipped so that it is not read as a word of its own.
  tos: undefined,
  dsfield: undefined,
  dscp: undefined,
  realms: undefined,
  proto: undefined,
  tun_id: undefined,
  suppress_ifgroup: undefined,
  'map-to': undefined,
};

function ruleFromWords(input: ParseInput, priority: number, ws: string[]): PolicyRule {
  const fields: Partial<Record<TextField, string>> = {};
  const rule: PolicyRule = { family: 'inet', priority, from: 'all' };
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (w === 'not') rule.not = true;
    else if (w === 'goto' && ws[i + 1] !== undefined) [rule.action, rule.goto] = ['goto', Number(ws[++i])];
    else if (w === 'suppress_prefixlength' && ws[i + 1] !== undefined) rule.suppressPrefixlength = Number(ws[++i]);
    else if (ACTIONS.has(w)) rule.action = w;
    else if (w in VALUE_WORDS && ws[i + 1] !== undefined) {
      const key = VALUE_WORDS[w];
      const value = ws[++i];
      if (key !== undefined) fields[key] = value;
    }
  }
  Object.assign(rule, fields);
  rule.family = familyOf(input, rule.from, rule.to);
  return rule;
}

function rulesFromText(input: ParseInput): { rules: PolicyRule[]; problems: ParseProblem[] } {
  const rules: PolicyRule[] = [];
  const problems: ParseProblem[] = [];
  input.lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^\s*(\d+):\s+(.*)$/.exec(line);
    if (!m) {
      problems.push(lineProblem(input.command, i + 1, line, 'not a rule line (PRIORITY: selectors action): skipped'));
      return;
    }
    // `[detached]` follows an iif/oif whose device is down or gone: the name is still the rule's.
    const ws = words(m[2]).filter((w) => w !== '[detached]');
    rules.push({ ...ruleFromWords(input, Number(m[1]), ws), source: textSource(input.command, [line]) });
  });
  return { rules, problems };
}
