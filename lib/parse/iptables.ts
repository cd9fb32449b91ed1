/** `iptables-save [-t TABLE]` and `iptables [-t TABLE] -S`: one FirewallRule per -A line. */
import type { FirewallRule, ParseProblem } from './types';
import type { Parser } from './parser';
import { lineProblem, textSource, toInput } from './parser';
import { stripUndefined } from './ip-link';

/** Splits like a shell for the quoting iptables prints: `--comment "peerpod [vni:555005]"`. */
function shellWords(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

function option(ws: string[], ...names: string[]): string | undefined {
  const i = ws.findIndex((w) => names.includes(w));
  if (i < 0 || i + 1 >= ws.length) return undefined;
  // "! -i eth0" negates: kept in the rule text, reported with the "!" so it is not mistaken for a match.
  return i > 0 && ws[i - 1] === '!' ? `!${ws[i + 1]}` : ws[i + 1];
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

function ruleFromLine(table: string, line: string, command: string): FirewallRule | undefined {
  const rule = withoutCounters(line);
  const ws = shellWords(rule);
  if ((ws[0] !== '-A' && ws[0] !== '-I') || ws[1] === undefined) return undefined;
  return stripUndefined({
    table,
    chain: ws[1],
    rule,
    target: option(ws, '-j', '--jump') ?? option(ws, '-g', '--goto'),
    inInterface: option(ws, '-i', '--in-interface'),
    outInterface: option(ws, '-o', '--out-interface'),
    protocol: option(ws, '-p', '--protocol'),
    source: textSource(command, [line]),
  });
}

export const parseIptables: Parser = (record) => {
  const input = toInput(record);
  const firewall: FirewallRule[] = [];
  const problems: ParseProblem[] = [];
  const t = input.argv.findIndex((a) => a === '-t' || a === '--table');
  let table = input.params.table ?? (t >= 0 ? input.argv[t + 1] : undefined) ?? 'filter';
  input.lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed === 'COMMIT') return;
    if (trimmed.startsWith('*')) {
      table = trimmed.slice(1);
      return;
    }
    // chain policies and declarations: ":INPUT ACCEPT [0:0]", "-P INPUT ACCEPT", "-N KUBE-SERVICES"
    if (/^(:\S+|-P\s|-N\s)/.test(trimmed)) return;
    const rule = ruleFromLine(table, line, input.command);
    if (rule) firewall.push(rule);
    else problems.push(lineProblem(input.command, i + 1, line, 'not an iptables rule line: skipped'));
  });
  return { state: { firewall }, problems };
};
