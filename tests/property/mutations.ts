/**
 * What property tests feed the readers: real JSON outputs (the bundled sample's, one per command) damaged the ways
 * pastes and copies damage them — cut short, a byte changed, an opener or a closer lost or doubled, lines shuffled
 * or repeated — and adversarial text: deep nesting, huge numbers, control characters, invalid UTF-8, lone
 * surrogates. Each case is a seed and a short list of damages, so fast-check shrinks a failure to a small one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { CaptureBundle, CommandId, CommandRecord } from '@/lib/capture/types';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The sample's first output of every command, by command id, with its command line. */
export function sampleOutputs(): Map<CommandId, CommandRecord> {
  const bundle = JSON.parse(readFileSync(path.join(ROOT, 'public', 'samples', 'peerpod-incident.bundle.json'), 'utf8')) as CaptureBundle;
  const outputs = new Map<CommandId, CommandRecord>();
  for (const host of bundle.hosts) {
    for (const ns of host.namespaces) {
      for (const record of ns.commands) if (record.stdout.trim() !== '' && !outputs.has(record.id)) outputs.set(record.id, record);
    }
  }
  return outputs;
}

/** A JSON output cut to its first `n` elements when it is an array: small seeds keep ten thousand cases quick. */
export function firstElements(json: string, n: number): string {
  const value: unknown = JSON.parse(json);
  return JSON.stringify(Array.isArray(value) ? value.slice(0, n) : value);
}

/** JSON's own characters, the ones whose loss or doubling a tolerant reader must survive. */
const STRUCTURAL = ['{', '}', '[', ']', ',', ':', '"'];
/** What a byte flip may leave: structure, escapes, digits, spaces, control characters, replacement and surrogates. */
const FLIPPED = [...STRUCTURAL, '\\', ' ', '\n', '\r', '\t', '0', '9', '-', '.', 'e', 'x', 'n', '\u0000', '\u0007', '\u001b', '\u007f', '\u2028', '\uFFFD', '\uD800', '\uDC00', '\uFEFF'];
const HUGE_NUMBERS = ['1e999999', '-1e999999', '9'.repeat(400), '0.' + '0'.repeat(300) + '1', '1'.repeat(40) + 'e-400', '-0', '4294967296', '18446744073709551616', '1.7976931348623157e309'];

export type Damage =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; to: string }
  | { kind: 'delete'; which: string; nth: number }
  | { kind: 'insert'; what: string; at: number }
  | { kind: 'shuffle-lines'; seed: number }
  | { kind: 'repeat-line'; line: number; times: number }
  | { kind: 'delete-line'; line: number }
  | { kind: 'nest'; at: number; depth: number; opener: string }
  | { kind: 'huge-number'; nth: number; to: string }
  | { kind: 'control'; at: number; text: string }
  | { kind: 'invalid-utf8'; at: number; bytes: number[] };

/** Damages that leave one document (when the result still parses at all): a reader must report what it skipped. */
export const SINGLE_DOCUMENT_DAMAGES: ReadonlySet<Damage['kind']> = new Set(['truncate', 'flip', 'delete', 'insert', 'nest', 'huge-number', 'control', 'invalid-utf8']);

const position = fc.nat({ max: 1_000_000 });

export const damage: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: position, to: fc.constantFrom(...FLIPPED) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), which: fc.constantFrom(...STRUCTURAL), nth: fc.nat({ max: 200 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), what: fc.constantFrom(...STRUCTURAL, '},{', '],[', '":"', '\\"'), at: position }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shuffle-lines' as const), seed: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat-line' as const), line: fc.nat({ max: 100 }), times: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-line' as const), line: fc.nat({ max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nest' as const), at: position, depth: fc.integer({ min: 1, max: 1000 }), opener: fc.constantFrom('[', '{"a":', '{', '["') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge-number' as const), nth: fc.nat({ max: 50 }), to: fc.constantFrom(...HUGE_NUMBERS) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('control' as const),
      at: position,
      text: fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('invalid-utf8' as const),
      at: position,
      bytes: fc.array(fc.constantFrom(0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf8, 0xfe, 0xff), { minLength: 1, maxLength: 4 }),
    }),
  },
);

/** The `nth` occurrence (wrapping around) of `what` in `text`, or -1 when there is none. */
function nthIndex(text: string, what: string | RegExp, nth: number): { at: number; length: number } | undefined {
  const re = typeof what === 'string' ? new RegExp(what.replace(/[[\]{}\\^$.*+?()|]/g, '\\$&'), 'g') : what;
  const found = [...text.matchAll(re)];
  if (found.length === 0) return undefined;
  const m = found[nth % found.length];
  return { at: m.index, length: m[0].length };
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed | 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = Math.abs(state) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function applyDamage(text: string, d: Damage): string {
  const at = (n: number): number => (text.length === 0 ? 0 : n % (text.length + 1));
  switch (d.kind) {
    case 'truncate':
      return text.slice(0, at(d.at));
    case 'flip': {
      const i = at(d.at);
      return text.slice(0, i) + d.to + text.slice(i + 1);
    }
    case 'delete': {
      const m = nthIndex(text, d.which, d.nth);
      return m ? text.slice(0, m.at) + text.slice(m.at + m.length) : text;
    }
    case 'insert':
      return text.slice(0, at(d.at)) + d.what + text.slice(at(d.at));
    case 'shuffle-lines':
      return shuffled(text.split('\n'), d.seed).join('\n');
    case 'repeat-line': {
      const lines = text.split('\n');
      const i = d.line % lines.length;
      lines.splice(i, 0, ...Array<string>(d.times).fill(lines[i]));
      return lines.join('\n');
    }
    case 'delete-line': {
      const lines = text.split('\n');
      lines.splice(d.line % lines.length, 1);
      return lines.join('\n');
    }
    case 'nest': {
      const i = at(d.at);
      return text.slice(0, i) + d.opener.repeat(d.depth) + text.slice(i);
    }
    case 'huge-number': {
      const m = nthIndex(text, /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g, d.nth);
      return m ? text.slice(0, m.at) + d.to + text.slice(m.at + m.length) : text;
    }
    case 'control':
      return text.slice(0, at(d.at)) + d.text + text.slice(at(d.at));
    case 'invalid-utf8': {
      // Bytes that are not UTF-8, decoded as a file read as UTF-8 decodes them (the CLI's readFile).
      const bytes = Buffer.from(text, 'utf8');
      const i = bytes.length === 0 ? 0 : d.at % (bytes.length + 1);
      return Buffer.concat([bytes.subarray(0, i), Buffer.from(d.bytes), bytes.subarray(i)]).toString('utf8');
    }
  }
}

/** A seed in one of its printed forms (one line, as the tools print it, or pretty-printed, as some pastes are). */
export function seedForms(json: string): string[] {
  return [json, JSON.stringify(JSON.parse(json), null, 2)];
}

export interface Case {
  seed: string;
  damages: Damage[];
  text: string;
}

/** A seed damaged one to three times. */
export function damagedCase(seeds: readonly string[]): fc.Arbitrary<Case> {
  return fc
    .record({ seed: fc.constantFrom(...seeds), damages: fc.array(damage, { minLength: 1, maxLength: 3 }) })
    .map(({ seed, damages }) => ({ seed, damages, text: damages.reduce(applyDamage, seed) }));
}

/** 1-based number of lines of `text`, as the readers count them. */
export function lineCount(text: string): number {
  let lines = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  return lines;
}

/** Lines as the transcript reader numbers them: `\r\n`, a lone `\r` (old Macs, some chat exports) and `\n` each end one. */
export function transcriptLineCount(text: string): number {
  return text.split(/\r?\n|\r/).length;
}

/**
 * Generous time allowed for reading `chars` characters: a fixed part for a loaded machine and pauses, and a linear
 * part. What it catches is a reader that loops or grows faster than its input, not a slow moment of the machine.
 */
export function timeBudgetMs(chars: number): number {
  return 1000 + chars / 2000;
}

export interface Tally {
  cases: number;
  slowestMs: number;
  slowestChars: number;
  biggestChars: number;
}

export function newTally(): Tally {
  return { cases: 0, slowestMs: 0, slowestChars: 0, biggestChars: 0 };
}

/**
 * Runs `read` on `text`, counts it in `tally`, and returns how long it took. A run over the time budget is timed
 * once more and the shorter time counts: a pause of the machine (another process, a collection) does not repeat,
 * a reader that is slow on this input does.
 */
export function timedRun<T>(tally: Tally, text: string, read: () => T): { value: T; ms: number } {
  let start = performance.now();
  const value = read();
  let ms = performance.now() - start;
  if (ms > timeBudgetMs(text.length)) {
    start = performance.now();
    read();
    ms = Math.min(ms, performance.now() - start);
  }
  tally.cases++;
  tally.biggestChars = Math.max(tally.biggestChars, text.length);
  if (ms > tally.slowestMs) {
    tally.slowestMs = ms;
    tally.slowestChars = text.length;
  }
  return { value, ms };
}

export function formatTally(name: string, tally: Tally): string {
  return `${name}: ${tally.cases} cases, slowest ${tally.slowestMs.toFixed(1)} ms (${tally.slowestChars} chars), biggest input ${tally.biggestChars} chars`;
}

/**
 * fc.assert in rounds of a thousand cases, with a turn of the event loop between rounds: one synchronous run of
 * ten thousand would keep the test runner's worker from answering its own runner for as long.
 */
export async function assertInRounds<T>(property: fc.IProperty<T>, runs: number): Promise<void> {
  for (let done = 0; done < runs; done += 1000) {
    fc.assert(property, { numRuns: Math.min(1000, runs - done) });
    await new Promise((resolve) => setImmediate(resolve));
  }
}
