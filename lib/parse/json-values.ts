/**
 * Tolerant reading of JSON output: top-level arrays are read element by element, so a truncated or damaged
 * paste still yields every complete element, and each unreadable one becomes a problem with its line number.
 * Several documents in a row (one per device, as collectors print them) are read one after another.
 */
import type { ParseProblem } from './types';

export interface JsonValue {
  value: unknown;
  /** 1-based line where the value starts. */
  line: number;
}

export interface JsonRead {
  values: JsonValue[];
  problems: ParseProblem[];
  /** The text of each value, in the order of `values`: what evidence quotes. */
  texts: JsonTexts;
}

/**
 * Where each value read from one output lies in that output. Evidence quotes a value as it was printed, taken
 * from the output on demand (a slice shares the output's memory), so reading a big capture copies nothing.
 */
export class JsonTexts {
  #spans: number[] | undefined;
  #arrayAt: number;

  /** `spans` holds start and end of every value; without it the output is one array (or object) at `arrayAt`. */
  constructor(
    readonly text: string,
    spans: number[] | undefined,
    arrayAt = -1,
  ) {
    this.#spans = spans;
    this.#arrayAt = arrayAt;
  }

  /** The value's text on one line: as printed, or compacted when it was pretty-printed over several lines. */
  textOf(index: number): string {
    this.#spans ??= this.#arrayAt >= 0 ? elementSpans(this.text, this.#arrayAt) : [];
    const start = this.#spans[2 * index];
    const end = this.#spans[2 * index + 1];
    if (start === undefined || end === undefined) return '';
    const text = this.text.slice(start, end);
    return text.includes('\n') ? JSON.stringify(JSON.parse(text)) : text;
  }
}

/** Start and end of each element of the array that opens at `at`; the array is known to be valid JSON. */
export function elementSpans(text: string, at: number): number[] {
  const spans: number[] = [];
  let i = skipWs(text, at + 1);
  while (i < text.length && text.charCodeAt(i) !== CLOSE_BRACKET) {
    if (text.charCodeAt(i) === COMMA) {
      i = skipWs(text, i + 1);
      continue;
    }
    const end = valueEnd(text, i);
    if (end <= i) break;
    spans.push(i, end);
    i = skipWs(text, end);
  }
  return spans;
}

/**
 * Where the value of `key` starts in the object that opens at `at`, or -1 when the object has no such member.
 * The object is known to be valid JSON; of repeated keys the last counts, as JSON.parse keeps it.
 */
export function memberAt(text: string, at: number, key: string): number {
  let found = -1;
  let i = skipWs(text, at + 1);
  while (i < text.length && text.charCodeAt(i) === QUOTE) {
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) break;
    const name: unknown = JSON.parse(text.slice(i, keyEnd));
    const valueAt = skipWs(text, skipWs(text, keyEnd) + 1);
    const end = valueEnd(text, valueAt);
    if (end < 0) break;
    if (name === key) found = valueAt;
    i = skipWs(text, end);
    if (text.charCodeAt(i) === COMMA) i = skipWs(text, i + 1);
  }
  return found;
}

class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.starts.push(i + 1);
  }
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  textOf(line: number): string {
    const start = this.starts[line - 1] ?? 0;
    const end = this.text.indexOf('\n', start);
    return this.text
      .slice(start, end < 0 ? undefined : end)
      .replace(/\r$/, '')
      .slice(0, 300);
  }
  lineEnd(offset: number): number {
    const end = this.text.indexOf('\n', offset);
    return end < 0 ? this.text.length : end + 1;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && isWs(text.charCodeAt(i))) i++;
  return i;
}

/** End (exclusive) of the JSON value starting at `start`, or -1 when the text ends inside it. */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) return stringEnd(text, start);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (isWs(c) || c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE) break;
    }
    return i;
  }
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/**
 * The common case, read at native speed: one JSON array or object on a single line, as `ip -j`, `tc -j`,
 * `bridge -j` and `ovs-vsctl -f json` print. Elementwise reading gives the same values, all on line 1.
 */
function readSingleLine(text: string): JsonRead | undefined {
  const start = skipWs(text, 0);
  let end = text.length;
  while (end > start && isWs(text.charCodeAt(end - 1))) end--;
  const newline = text.indexOf('\n');
  const first = text.charCodeAt(start);
  if ((newline >= 0 && newline < end) || (first !== OPEN_BRACKET && first !== OPEN_BRACE)) return undefined;
  // A document that does not end with a closer is cut short: JSON.parse would only fail, after descending as deep
  // as the text goes (seconds for a million openers), so the elementwise reading takes it straight away.
  const last = text.charCodeAt(end - 1);
  if (last !== CLOSE_BRACKET && last !== CLOSE_BRACE) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return { values: [{ value, line: 1 }], problems: [], texts: new JsonTexts(text, [start, end]) };
  return { values: value.map((v: unknown) => ({ value: v, line: 1 })), problems: [], texts: new JsonTexts(text, undefined, start) };
}

export function readJsonValues(text: string, command: string): JsonRead {
  const single = readSingleLine(text);
  if (single !== undefined) return single;
  const index = new LineIndex(text);
  const values: JsonValue[] = [];
  const spans: number[] = [];
  const problems: ParseProblem[] = [];
  const problemAt = (offset: number, message: string): void => {
    const line = index.lineOf(offset);
    if (problems.length > 0 && problems[problems.length - 1].line === line) return;
    problems.push({ command, line, text: index.textOf(line), message });
  };
  const readOne = (start: number, into: 'element' | 'document'): number => {
    const end = valueEnd(text, start);
    if (end === start) {
      // A closer with no opener ("}" or "]" where a value should start, as left by a paste that lost a "{"): no
      // value starts here. Skipped by one character, so that reading always moves on.
      problemAt(start, `unreadable JSON ${into}: unexpected "${text[start]}" where a value should start`);
      return start + 1;
    }
    if (end < 0) {
      problemAt(start, `truncated JSON: the ${into} starting here never ends`);
      return text.length;
    }
    try {
      values.push({ value: JSON.parse(text.slice(start, end)) as unknown, line: index.lineOf(start) });
      spans.push(start, end);
    } catch (e) {
      problemAt(start, `unreadable JSON ${into}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return end;
  };

  let i = skipWs(text, 0);
  while (i < text.length) {
    const c = text[i];
    if (c === '[') {
      i = skipWs(text, i + 1);
      let closed = false;
      // What may come next: a value (after "[" or ","), or a "," or the "]" (after a value). Both are read either
      // way, so one lost or doubled comma costs nothing, but it is reported: the paste was damaged there.
      let last: 'open' | 'value' | 'comma' = 'open';
      while (i < text.length) {
        if (text[i] === ']') {
          if (last === 'comma') problemAt(i, 'unreadable JSON: "," before the array\'s "]"');
          closed = true;
          i++;
          break;
        }
        if (text[i] === ',') {
          if (last !== 'value') problemAt(i, 'unreadable JSON: "," where an element should be');
          last = 'comma';
          i = skipWs(text, i + 1);
          continue;
        }
        if (last === 'value') problemAt(i, 'unreadable JSON: no "," between two elements');
        i = skipWs(text, readOne(i, 'element'));
        last = 'value';
      }
      if (!closed && !problems.some((p) => p.message.startsWith('truncated'))) {
        problemAt(text.length - 1, 'truncated JSON: the array is not closed');
      }
    } else if (c === '{') {
      i = readOne(i, 'document');
    } else {
      problemAt(i, 'not JSON: line skipped');
      i = index.lineEnd(i);
    }
    i = skipWs(text, i);
  }
  return { values, problems, texts: new JsonTexts(text, spans) };
}
