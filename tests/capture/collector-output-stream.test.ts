/**
 * The collector-output reader fed as an exec delivers its output: in pieces cut anywhere. Whatever the cuts, it reads
 * what the whole text reads, problems and line numbers included; and the shell words of each command line are those
 * a shell would make, however the characters run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import { CollectorOutputReader, parseCollectorOutput } from '@/lib/capture/collect/collector-output';
import { splitShellLine } from '@/lib/capture/paste/shell-words';
import type { HostCapture } from '@/lib/capture/types';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';
import { collectorOutput } from '../cluster/collector-text';

function sampleHosts(): HostCapture[] {
  const parsed = parseBundle(JSON.parse(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8')) as unknown);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.bundle.hosts;
}

/** The text read in the pieces that `cuts` (ascending offsets) make. */
function readInPieces(text: string, cuts: readonly number[]): ReturnType<typeof parseCollectorOutput> & { printed: boolean } {
  const reader = new CollectorOutputReader();
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    reader.write(text.slice(at, cut));
    at = cut;
  }
  const printed = reader.printed;
  return { ...reader.end(), printed };
}

/** A small deterministic generator, so that a failing cut can be replayed. */
function randomCuts(length: number, count: number, seed: number): number[] {
  let state = seed;
  const cuts = new Set<number>();
  while (cuts.size < Math.min(count, length - 1)) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    cuts.add(1 + (state % (length - 1)));
  }
  return [...cuts].sort((a, b) => a - b);
}

const [first, second] = sampleHosts();
const TWO_HOSTS = collectorOutput(first, '0123abcd') + collectorOutput(second, '4567ef01');
/** Damaged on purpose: text before the header, a foreign line, a command cut before its end marker, no final newline. */
const DAMAGED = `stray text\n${collectorOutput(first, '89abcdef').split('\n').slice(0, 40).join('\n')}\nline without a command`;

describe('the collector-output reader fed in pieces', () => {
  it('reads two hosts cut at random places as the whole text reads them', () => {
    const whole = parseCollectorOutput(TWO_HOSTS);
    expect(whole.hosts.map((h) => h.name)).toEqual([first.name, second.name]);
    expect(whole.hosts[0].namespaces).toEqual(first.namespaces);
    for (const seed of [1, 2, 3]) expect(readInPieces(TWO_HOSTS, randomCuts(TWO_HOSTS.length, 400, seed))).toEqual({ ...whole, printed: true });
  });

  it('reads damaged output cut in two at 300 places as the whole text reads it, problems and line numbers included', () => {
    const whole = parseCollectorOutput(DAMAGED);
    expect(whole.problems.map((p) => p.message)).toEqual(expect.arrayContaining(['text before the collector header is ignored', 'the output of this command is cut before its end marker']));
    const step = Math.max(1, Math.floor(DAMAGED.length / 300));
    for (let cut = 1; cut < DAMAGED.length; cut += step) expect(readInPieces(DAMAGED, [cut])).toEqual({ ...whole, printed: true });
  });

  it('reads pieces of one character, and says whether anything but white space came', () => {
    const short = collectorOutput(first, 'feedf00d').slice(0, 2000);
    const cuts = Array.from({ length: short.length - 1 }, (_, i) => i + 1);
    expect(readInPieces(short, cuts)).toEqual({ ...parseCollectorOutput(short), printed: true });
    expect(readInPieces(' \n\t\n', [1, 2, 3])).toEqual({ ...parseCollectorOutput(' \n\t\n'), printed: false });
    expect(readInPieces('', [])).toEqual({ ...parseCollectorOutput(''), printed: false });
  });
});

describe('shell words read in runs', () => {
  it('keeps `#` inside a word, starts a comment only at a word start, and ends runs at every quote and operator', () => {
    const words = (line: string) => {
      const split = splitShellLine(line);
      return split.ok ? split.segments.map((s) => [s.words, s.op]) : split.reason;
    };
    expect(words('ip netns exec cni-a#1 ip -j link # a comment')).toEqual([[['ip', 'netns', 'exec', 'cni-a#1', 'ip', '-j', 'link'], null]]);
    expect(words(`ab'c d'"e f"g\\ h&&x|y;z 2>/dev/null w`)).toEqual([
      [['abc de fg h'], '&&'],
      [['x'], '|'],
      [['y'], ';'],
      [['z', 'w'], null],
    ]);
    expect(words('tc -n ns\t-j qdisc')).toEqual([[['tc', '-n', 'ns', '-j', 'qdisc'], null]]);
  });
});
