/**
 * The readers the JSON-reader properties leave out (issue 20): the text-form command readers (iptables-save,
 * conntrack -S, sysctl -a) and the three kinds of file an upload holds — a capture bundle, the collector's output and
 * a pasted transcript — each fed ten thousand damaged inputs (truncated, reordered, flipped, deeply nested, huge
 * numbers, control characters, invalid UTF-8). For every case: no throw, time linear in the size, every problem on
 * a line of the input, and a result that can be stored. The run prints how many cases each reader was given.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { importFiles } from '@/lib/capture/import';
import { COLLECTOR_FORMAT, COLLECTOR_HEADER } from '@/lib/capture/collect/collector-output';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandId, CommandRecord } from '@/lib/capture/types';
import { COMMANDS } from '@/lib/commands';
import { parserFor } from '@/lib/parse';
import { commandLine } from '@/lib/parse/parser';
import { incidentBundle } from '../helpers/incident-sample';
import { assertInRounds, damagedCase, firstElements, formatTally, lineCount, newTally, sampleOutputs, timeBudgetMs, timedRun, transcriptLineCount, type Tally } from './mutations';

const RUNS = Math.max(10_000, Number(process.env.TUNNELSCOPE_PROPERTY_RUNS) || 0);

/** The sample's outputs, JSON ones cut to two elements: small seeds keep ten thousand cases quick. */
const records = [...sampleOutputs().values()].map((r) => ({ ...r, stdout: r.format === 'json' ? firstElements(r.stdout, 2) : r.stdout }));
const textReaders = records.filter((r) => r.format === 'text' && parserFor(r.id) !== undefined);
/** The outputs the upload seeds are made of: a few short ones, so that a file stays a few kilobytes. */
const short = records.filter((r) => r.stdout.length <= 1500).slice(0, 6);
const tallies = new Map<string, Tally>();

afterAll(() => {
  const total = [...tallies.values()].reduce((sum, t) => sum + t.cases, 0);
  console.log(`property cases of the text readers and the upload readers (${total} in all):\n${[...tallies].map(([name, t]) => `  ${formatTally(name, t)}`).join('\n')}`);
});

/** Problems name a line of the input; an import problem about the file as a whole names line 0. */
function checkLines(problems: readonly { line?: number; text?: string }[], text: string, first = 1, count = lineCount): void {
  const lines = count(text);
  for (const p of problems) {
    if (p.line === undefined) continue;
    expect(Number.isInteger(p.line) && p.line >= first && p.line <= lines, `problem line ${p.line} of ${lines}`).toBe(true);
  }
}

async function property(name: string, seeds: string[], check: (text: string, tally: Tally) => void): Promise<void> {
  const tally = newTally();
  tallies.set(name, tally);
  await assertInRounds(
    fc.property(damagedCase(seeds), (c) => check(c.text, tally)),
    RUNS,
  );
  expect(tally.cases).toBeGreaterThanOrEqual(RUNS);
}

describe.each(textReaders.map((r) => [r.argv.join(' '), r] as const))('the text reader of %s', (name, seed) => {
  it(`takes ${RUNS} damaged outputs without a throw, in linear time, reporting problems by line`, async () => {
    const parser = parserFor(seed.id);
    await property(name, [seed.stdout, seed.stdout.split('\n').reverse().join('\n')], (text, tally) => {
      const input: CommandRecord = { ...seed, stdout: text };
      const { value: result, ms } = timedRun(tally, text, () => parser?.(input));
      expect(ms).toBeLessThan(timeBudgetMs(text.length));
      checkLines(result?.problems ?? [], text);
      expect(() => JSON.stringify(result?.state)).not.toThrow();
    });
  }, 300_000);
});

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'parse');
const fixture = (file: string): string => readFileSync(path.join(FIXTURES, file), 'utf8');
/** This kernel's /proc/net and /sys/class/net reads, as the collector makes them where ip is missing. */
const procfs = (...files: string[]): string => files.map((file) => readFileSync(path.join(FIXTURES, '..', 'procfs', file), 'utf8')).join('');

/** Seeds of the readers whose output the sample does not hold: real outputs kept as parser fixtures, or as the tool prints them. */
const UNSAMPLED: Partial<Record<CommandId, () => string>> = {
  arp: () => fixture('text/arp-n.txt'),
  'ip-rule': () => fixture('ip-rule/root.json'),
  'iptables-rules': () => fixture('iptables-1.8.9/iptables-t-raw-S.txt'),
  'iptables-tables': () => fixture('iptables-1.8.9/iptables-save.txt'),
  'ovs-ofctl-dump-ports': () => fixture('text/ovs-ofctl-dump-ports.txt'),
  'ovs-show': () => fixture('ovs/show.txt'),
  'route-n': () =>
    'Kernel IP routing table\nDestination     Gateway         Genmask         Flags Metric Ref    Use Iface\n0.0.0.0         10.0.0.1        0.0.0.0         UG    100    0        0 eth0\n10.244.1.0      0.0.0.0         255.255.255.0   U     0      0        0 cni0\n',
  'sys-class-net': () => procfs('sys-class-net.txt'),
  // Without the fixture's /32 address: it has no prefix route to name its device, which the reader rightly reports.
  'proc-net-addr': () => procfs('if_inet6.txt', 'route.txt', 'fib_trie.txt').replace(/^ +\|-- 192\.0\.2\.7\n +\/32 host LOCAL\n/gm, ''),
  'proc-net-route': () => procfs('route.txt'),
  'proc-net-ipv6-route': () => procfs('ipv6_route.txt'),
  'proc-net-arp': () => procfs('arp.txt'),
  'peerpod-sandboxes': () =>
    `${JSON.stringify({ sandbox: '9f2c1e0d7a4b', 'pod-network': { podip: '10.244.1.50/24', 'pod-hw-addr': '0a:58:0a:f4:01:32', 'worker-node-ip': '192.168.10.1/24', 'vxlan-id': 555001, 'vxlan-port': 4789, mtu: 1450 } })}\n`,
};
/** Readers the JSON-reader properties feed with a form the sample does not hold (json-readers.test.ts's EXTRA). */
const JSON_EXTRA: readonly CommandId[] = ['sysctl', 'ip-route-get', 'netns-list', 'ip-netconf'];

describe('the command registry', () => {
  it('gives every parser it declares to a property: a reader added without a seed fails here', () => {
    const sampled = new Set([...sampleOutputs().values()].filter((r) => parserFor(r.id) !== undefined).map((r) => r.id));
    const fed = new Set<CommandId>([...sampled, ...JSON_EXTRA, ...(Object.keys(UNSAMPLED) as CommandId[])]);
    expect(COMMANDS.filter((c) => 'parse' in c && !fed.has(c.id)).map((c) => c.id)).toEqual([]);
  });
});

describe.each(COMMANDS.filter((c) => UNSAMPLED[c.id] !== undefined).map((c) => [c.argv.join(' '), c] as const))('the reader of %s', (name, command) => {
  it(`takes ${RUNS} damaged outputs without a throw, in linear time, reporting problems by line`, async () => {
    const parser = parserFor(command.id);
    const seed = UNSAMPLED[command.id]?.() ?? '';
    const base: CommandRecord = { id: command.id, argv: [...command.argv], stdout: seed, stderr: '', exitCode: 0, durationMs: 1, status: 'ok', format: command.format };
    expect(parser?.(base).problems, 'the seed itself is read').toEqual([]);
    await property(name, [seed, seed.split('\n').reverse().join('\n')], (text, tally) => {
      const { value: result, ms } = timedRun(tally, text, () => parser?.({ ...base, stdout: text }));
      expect(ms).toBeLessThan(timeBudgetMs(text.length));
      checkLines(result?.problems ?? [], text);
      expect(() => JSON.stringify(result?.state)).not.toThrow();
    });
  }, 300_000);
});

/** The sample's first host with small outputs, as an uploaded bundle file. */
function bundleSeed(): string {
  const sample = incidentBundle();
  const shrink = (r: CommandRecord): CommandRecord => (r.format === 'json' && r.stdout.trim() !== '' ? { ...r, stdout: firstElements(r.stdout, 2) } : r);
  const host = sample.hosts[0];
  const small = {
    ...host,
    namespaces: host.namespaces.slice(0, 2).map((ns) => ({
      ...ns,
      commands: ns.commands
        .map(shrink)
        .filter((r) => r.stdout.length <= 1500)
        .slice(0, 3),
    })),
  };
  return JSON.stringify({ ...sample, hosts: [small] });
}

/** The sample's outputs as public/tunnelscope-collect.sh prints them. */
function collectorSeed(): string {
  const marker = '#ts:b0undary';
  const lines = [`${COLLECTOR_HEADER}format=${COLLECTOR_FORMAT} host=worker-1 role=worker boundary=b0undary date=2026-01-01T00:00:00Z`];
  for (const r of short) {
    lines.push(`[worker-1]# ${commandLine(r.argv)} ${marker}`, ...r.stdout.split('\n'), `${marker} end id=${r.id} exit=0 status=ok ms=3 eol=0`);
  }
  return `${lines.join('\n')}\n`;
}

/** The sample's outputs behind shell prompts, as pasted from a terminal. */
function transcriptSeed(): string {
  return short.map((r) => `root@worker-1:~# ${commandLine(r.argv)}\n${r.stdout}\n`).join('');
}

describe.each([
  ['a bundle file', bundleSeed()],
  ['collector output', collectorSeed()],
  ['a pasted transcript', transcriptSeed()],
])('the upload reader given %s', (name, seed) => {
  it(`imports ${RUNS} damaged files without a throw, in linear time, reporting problems by line`, async () => {
    const undamaged = importFiles([{ name: 'upload.txt', content: seed }]);
    expect(undamaged.bundle.hosts.length, 'the seed itself is read').toBeGreaterThan(0);
    await property(`upload of ${name}`, [seed], (text, tally) => {
      const { value: imported, ms } = timedRun(tally, text, () => importFiles([{ name: 'upload.txt', content: text }]));
      expect(ms).toBeLessThan(timeBudgetMs(text.length));
      // Damaged text may no longer look like what it was and be read as a transcript, which ends lines at a lone \r too.
      checkLines(imported.problems, text, 0, transcriptLineCount);
      expect(() => JSON.stringify(imported.bundle)).not.toThrow();
    });
  }, 300_000);
});
