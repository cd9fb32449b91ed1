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
    return this.text.slice(start, end < 0 ? undefined : end).replace(/\r$/, '').slice(0, 300);
  }
  lineEnd(offset: number): number {
    const end = this.text.indexOf('\n', offset);
    return end < 0 ? this.text.length : end + 1;
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text[i])) i++;
  return i;
}

/** End (exclusive) of the JSON value starting at `start`, or -1 when the text ends inside it. */
function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return stringEnd(text, start);
  if (first !== '{' && first !== '[') {
    let i = start;
    while (i < text.length && !WS.has(text[i]) && text[i] !== ',' && text[i] !== ']' && text[i] !== '}') i++;
    return i;
  }
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

/**
 * The common case, read at native speed: one JSON array or object on a single line, as `ip -j`, `tc -j`,
 * `bridge -j` and `ovs-vsctl -f json` print. Elementwise reading gives the same values, all on line 1.
 */
function readSingleLine(text: string): JsonValue[] | undefined {
  const start = skipWs(text, 0);
  let end = text.length;
  while (end > start && WS.has(text[end - 1])) end--;
  const newline = text.indexOf('\n');
  if ((newline >= 0 && newline < end) || (text[start] !== '[' && text[start] !== '{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end));
  } catch {
    return undefined;
  }
  return Array.isArray(value) ? value.map((v: unknown) => ({ value: v, line: 1 })) : [{ value, line: 1 }];
}

export function readJsonValues(text: string, command: string): JsonRead {
  const single = readSingleLine(text);
  if (single !== undefined) return { values: single, problems: [] };
  const index = new LineIndex(text);
  const values: JsonValue[] = [];
  const problems: ParseProblem[] = [];
  const problemAt = (offset: number, message: string): void => {
    const line = index.lineOf(offset);
    if (problems.length > 0 && problems[problems.length - 1].line === line) return;
    problems.push({ command, line, text: index.textOf(line), message });
  };
  const readOne = (start: number, into: 'element' | 'document'): number => {
    const end = valueEnd(text, start);
    if (end < 0) {
      problemAt(start, `truncated JSON: the ${into} starting here never ends`);
      return text.length;
    }
    try {
      values.push({ value: JSON.parse(text.slice(start, end)) as unknown, line: index.lineOf(start) });
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
      while (i < text.length) {
        if (text[i] === ']') {
          closed = true;
          i++;
          break;
        }
        if (text[i] === ',') {
          i = skipWs(text, i + 1);
          continue;
        }
        i = skipWs(text, readOne(i, 'element'));
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
  return { values, problems };
}
