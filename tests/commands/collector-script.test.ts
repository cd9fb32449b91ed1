import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '@/lib/capture/catalog';
import { BEGIN_MARK, END_MARK, FALLBACK_BEGIN_MARK, FALLBACK_END_MARK, withCommandBlock } from '@/lib/commands/collector-script';
import { splitShellLine } from '@/lib/capture/paste/shell-words';

const SCRIPT = readFileSync(path.join(__dirname, '..', '..', 'public', 'tunnelscope-collect.sh'), 'utf8');

/** The test on $ns that `if` lines of the block make, as a declaration's `namespaces` names it. */
const IF_NAMESPACES: Record<string, 'root' | 'named'> = { '[ "$ns" = - ]': 'root', '[ "$ns" != - ]': 'named' };

interface RunLine {
  id: string;
  ns: string;
  optional: string;
  argv: string[];
  how: string;
  /** The namespaces an enclosing `if` on $ns narrows the line to; undefined outside one. */
  namespaces?: 'root' | 'named';
}

/**
 * `run ID NETNS OPTIONAL ARGV...` lines of one of the script's generated blocks, read back as sh would split them
 * (variables kept by name). Outside the blocks, the batch fallback runs queued commands again by variable.
 */
function runLines(script = SCRIPT, begin = BEGIN_MARK, end = END_MARK): RunLine[] {
  const vars = { ns: '$ns', dev: '{dev}', hook: '{hook}' };
  const out: RunLine[] = [];
  let namespaces: RunLine['namespaces'];
  for (const line of script.slice(script.indexOf(begin), script.indexOf(end)).split('\n')) {
    const test = /^\s*if (.*); then$/.exec(line)?.[1];
    if (test !== undefined && test in IF_NAMESPACES) namespaces = IF_NAMESPACES[test];
    if (/^\s*fi$/.test(line)) namespaces = undefined;
    const m = /^\s*(covered \S+ \|\| )?((?:run|batched) .*)$/.exec(line);
    if (m === null) continue;
    const [, covered, command] = m;
    const split = splitShellLine(command, vars);
    if (!split.ok) throw new Error(`cannot split ${command}: ${split.reason}`);
    const [how, id, ns, optional, ...argv] = split.segments[0].words;
    out.push({ id, ns, optional, argv, how: covered === undefined ? how : `${covered.trim()} run`, ...(namespaces ? { namespaces } : {}) });
  }
  return out;
}

describe('the collector script', () => {
  it('holds the command block the declarations generate (run `npm run generate:collector` after changing lib/commands)', () => {
    expect(SCRIPT).toContain(BEGIN_MARK);
    expect(withCommandBlock(SCRIPT, CATALOG)).toBe(SCRIPT);
  });

  it('runs every collected command once, with its declared argv, optional flag and scope, and nothing else', () => {
    const runs = [...runLines(), ...runLines(SCRIPT, FALLBACK_BEGIN_MARK, FALLBACK_END_MARK)];
    const collected = CATALOG.filter((c) => c.collect);
    expect(runs.map((r) => r.id).sort()).toEqual(collected.map((c) => c.id).sort());
    for (const command of collected) {
      const run = runs.find((r) => r.id === command.id);
      expect(run?.argv, command.id).toEqual(command.argv);
      expect(run?.optional, command.id).toBe(command.optional ? '1' : '0');
      expect(run?.ns, command.id).toBe(command.scope === 'host' ? '-' : '$ns');
      expect(run?.namespaces, command.id).toBe(command.namespaces);
    }
  });

  it('runs iptables-save once for every table in a named namespace, and per table in the root one', () => {
    const saves = runLines().filter((r) => r.argv[0] === 'iptables-save');
    expect(saves.map((r) => [r.namespaces, r.argv.join(' ')])).toEqual([
      ['root', 'iptables-save -t raw'],
      ['root', 'iptables-save -t filter'],
      ['named', 'iptables-save'],
    ]);
  });

  it('narrows per-device commands to their namespaces too, and refuses namespaces on a command run once per host', () => {
    const narrowed = CATALOG.map((c) => (c.scope === 'device' ? { ...c, namespaces: 'named' as const } : c));
    const devices = runLines(withCommandBlock(SCRIPT, narrowed)).filter((r) => CATALOG.find((c) => c.id === r.id)?.scope === 'device');
    expect(devices.length).toBeGreaterThan(0);
    expect(devices.map((r) => r.namespaces)).toEqual(devices.map(() => 'named'));
    const hostly = CATALOG.map((c) => (c.scope === 'host' ? { ...c, namespaces: 'root' as const } : c));
    expect(() => withCommandBlock(SCRIPT, hostly)).toThrow(/runs once per host/);
  });

  it('runs the /proc and /sys reads only in the fallback block, and every other command only in the main one', () => {
    const fallbacks: string[] = CATALOG.filter((c) => c.collect && c.fallbackFor !== undefined).map((c) => c.id);
    expect(fallbacks.length).toBeGreaterThan(0);
    expect(runLines(SCRIPT, FALLBACK_BEGIN_MARK, FALLBACK_END_MARK).map((r) => r.id)).toEqual(fallbacks);
    expect(runLines().filter((r) => fallbacks.includes(r.id))).toEqual([]);
  });

  it('runs a batched-only command only in batches, and the listing it covers only where the batch does not hold it', () => {
    const runs = runLines();
    const batchedOnly = CATALOG.filter((c) => c.collect && c.batchedOnly);
    expect(batchedOnly.length).toBeGreaterThan(0);
    for (const command of batchedOnly) expect(runs.find((r) => r.id === command.id)?.how, command.id).toBe('batched');
    const covered = CATALOG.filter((c) => c.collect && c.coveredBy !== undefined);
    expect(covered.map((c) => c.id)).toContain('sysctl');
    for (const command of covered) expect(runs.find((r) => r.id === command.id)?.how, command.id).toBe(`covered ${command.coveredBy} || run`);
    expect(runs.filter((r) => r.how === 'run').map((r) => r.id)).not.toContain('sysctl');
  });

  it('refuses a covering command that is not batched-only or comes after the listing it covers', () => {
    const sysctl = CATALOG.find((c) => c.id === 'sysctl');
    const netconf = CATALOG.find((c) => c.id === 'ip-netconf');
    if (!sysctl || !netconf) throw new Error('sysctl and ip-netconf are declared');
    const rest = CATALOG.filter((c) => c !== sysctl && c !== netconf);
    expect(() => withCommandBlock(SCRIPT, [...rest, sysctl, netconf])).toThrow(/covered by ip-netconf/);
    expect(() => withCommandBlock(SCRIPT, [...rest, { ...netconf, batchedOnly: false }, sysctl])).toThrow(/covered by ip-netconf/);
  });

  it('refuses a script without the generated block instead of appending one', () => {
    expect(() => withCommandBlock(SCRIPT.replace(END_MARK, ''), CATALOG)).toThrow(/markers/);
    expect(() => withCommandBlock(SCRIPT.replace(FALLBACK_END_MARK, ''), CATALOG)).toThrow(/markers/);
  });
});
