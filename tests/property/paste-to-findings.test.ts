/**
 * The whole path a paste takes (issue 21): transcript text → import → parse → topology → diagnosis → what storage
 * writes. Transcripts are made of the sample's real outputs behind shell prompts, each output damaged or not, and
 * the transcript itself damaged (lines shuffled, repeated, cut). For every case: no throw, bounded time, import
 * problems on lines of the file, and a result that serialises.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { importFiles } from '@/lib/capture/import';
import { analyze } from '@/lib/analyze';
import { commandLine } from '@/lib/parse/parser';
import { applyDamage, assertInRounds, damage, firstElements, formatTally, newTally, sampleOutputs, timeBudgetMs, timedRun, transcriptLineCount } from './mutations';

/**
 * Ten thousand transcripts, as each reader gets. A case costs about 1.4 ms on a quiet machine (profiled: the
 * transcript reader 37%, the command readers 23%, topology and rules 19%, generating the case 7%, serialising 6%),
 * so each is kept small: JSON outputs cut to two elements, at most six commands.
 */
const RUNS = Math.max(10_000, Number(process.env.TUNNELSCOPE_PROPERTY_RUNS) || 0);

const records = [...sampleOutputs().values()].map((r) => ({ ...r, stdout: r.format === 'json' ? firstElements(r.stdout, 2) : r.stdout }));
const tally = newTally();

afterAll(() => console.log(`property cases of paste → findings: ${formatTally('transcripts', tally)}`));

const HOSTS = ['worker-1', 'podvm-a1', 'node-3'];
const PROMPTS = [(h: string) => `root@${h}:~# `, (h: string) => `[root@${h} ~]# `, () => '$ ', () => 'sh-4.4# '];

const block = fc.record({
  record: fc.constantFrom(...records),
  host: fc.constantFrom(...HOSTS),
  prompt: fc.nat({ max: PROMPTS.length - 1 }),
  damages: fc.array(damage, { maxLength: 2 }),
});

const transcript = fc.record({ blocks: fc.array(block, { minLength: 1, maxLength: 6 }), damages: fc.array(damage, { maxLength: 2 }) }).map(({ blocks, damages }) => {
  const text = blocks.map((b) => `${PROMPTS[b.prompt](b.host)}${commandLine(b.record.argv)}\n${b.damages.reduce(applyDamage, b.record.stdout)}\n`).join('');
  return damages.reduce(applyDamage, text);
});

describe('a damaged paste, from import to findings', () => {
  it(`is imported, analysed and stored for ${RUNS} transcripts without a throw, in bounded time`, async () => {
    await assertInRounds(
      fc.property(transcript, (text) => {
        const { value, ms } = timedRun(tally, text, () => {
          const { bundle, problems } = importFiles([{ name: 'paste.txt', content: text }]);
          const analysis = analyze(bundle);
          // What storage writes: the bundle, the topology (evidence sources quote the outputs) and the findings.
          const stored = JSON.stringify([bundle, analysis.topology, analysis.findings]);
          return { problems, hosts: analysis.topology.hosts, stored };
        });
        expect(ms).toBeLessThan(timeBudgetMs(text.length) * 4);
        const lines = transcriptLineCount(text);
        // One assertion per case over all its problems: an assertion per problem cost as much as the import.
        expect(value.problems.filter((p) => !(p.line >= 0 && p.line <= lines)).map((p) => `import problem on line ${p.line} of ${lines}`)).toEqual([]);
        expect(value.hosts.flatMap((h) => h.problems).filter((p) => p.text !== undefined && p.text.length > 300)).toEqual([]);
        expect(typeof value.stored).toBe('string');
      }),
      RUNS,
    );
    expect(tally.cases).toBeGreaterThanOrEqual(RUNS);
  }, 300_000);
});

describe('a paste of JSON nested a million deep', () => {
  it('is imported and analysed in time linear in its size, its damage reported', () => {
    for (const opener of ['[', '{"a":']) {
      const text = `root@node-a:~# ip -j addr\n${opener.repeat(1_000_000)}\n`;
      const { value, ms } = timedRun(tally, text, () => analyze(importFiles([{ name: 'deep.txt', content: text }]).bundle));
      expect(ms, opener).toBeLessThan(timeBudgetMs(text.length));
      expect(value.topology.hosts[0]?.problems.length, opener).toBeGreaterThan(0);
    }
  });
});
