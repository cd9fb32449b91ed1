/** What every command parser takes and returns. A command's declaration (lib/commands) names its parser. */
import type { ParseProblem, SourceRef } from './types';
import type { ParsedState } from './state';
import { splitLines } from './text-lines';
import { readJsonValues } from './json-values';
import { isObject, type JsonObject } from './json-fields';

export interface ParseResult {
  state: ParsedState;
  problems: ParseProblem[];
}

/** A parser never throws: unreadable input becomes problems, readable input is kept. */
export type Parser = (record: CommandOutput) => ParseResult;

/**
 * What a parser reads of a command record (lib/capture/types.ts). Named here rather than imported: the command
 * declarations hold the parsers, and the record's id is derived from those declarations.
 */
export interface CommandOutput {
  argv: string[];
  params?: Record<string, string>;
  stdout: string;
}

/** A record prepared for parsing: the command as typed, the output lines, and the detected format. */
export interface ParseInput {
  command: string;
  argv: string[];
  params: Record<string, string>;
  stdout: string;
  lines: string[];
  /** Decided from the content, not from the record's declared format: pastes mix both. */
  isJson: boolean;
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** argv as a person would type it; words with spaces or shell characters are single-quoted. */
export function commandLine(argv: readonly string[]): string {
  for (const word of argv) {
    if (!SHELL_SAFE.test(word)) return argv.map((a) => (SHELL_SAFE.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  }
  return argv.join(' ');
}

/** JSON starts with [ or { followed by JSON, unlike text such as "[snip]" or "[root@node ~]#". */
export function looksLikeJson(stdout: string): boolean {
  return /^\s*(\{\s*("|\})|\[\s*(\{|\[|"|\]|-?\d|true|false|null))/.test(stdout);
}

const NO_PARAMS: Record<string, string> = {};

class RecordInput implements ParseInput {
  readonly command: string;
  readonly argv: string[];
  readonly params: Record<string, string>;
  readonly stdout: string;
  readonly isJson: boolean;
  #lines: string[] | undefined;

  constructor(record: CommandOutput) {
    this.command = commandLine(record.argv);
    this.argv = record.argv;
    this.params = record.params ?? NO_PARAMS;
    this.stdout = record.stdout;
    this.isJson = looksLikeJson(record.stdout);
  }

  /** Split on first use: JSON parsers never need the lines, and outputs can be large. */
  get lines(): string[] {
    this.#lines ??= splitLines(this.stdout);
    return this.#lines;
  }
}

export function toInput(record: CommandOutput): ParseInput {
  return new RecordInput(record);
}

/** Printed values that can be quoted one at a time on one line: the values of an output, the rows of a table. */
export interface PrintedTexts {
  textOf(index: number): string;
}

/** The source of the `index`-th value a command printed, quoted from the output when someone reads it. */
export function printedSource(command: string, texts: PrintedTexts, index: number): SourceRef {
  return new PrintedSource(command, texts, index);
}

/**
 * A fact read from JSON output names the output and its place in it; the line itself is cut from the output only
 * when evidence, the inspector or storage asks for it. Serialises as a plain { command, lines }.
 */
class PrintedSource implements SourceRef {
  readonly #texts: PrintedTexts;
  readonly #index: number;

  constructor(
    readonly command: string,
    texts: PrintedTexts,
    index: number,
  ) {
    this.#texts = texts;
    this.#index = index;
  }

  get lines(): string[] {
    return [this.#texts.textOf(this.#index)];
  }

  toJSON(): SourceRef {
    return { command: this.command, lines: this.lines };
  }
}

export function textSource(command: string, lines: string[]): SourceRef {
  return { command, lines };
}

/** How much of a line or a value a problem quotes: enough to find it, never a whole megabyte line again. */
export const PROBLEM_TEXT_CHARS = 300;

export function lineProblem(command: string, line: number, text: string, message: string): ParseProblem {
  return { command, line, text: text.length > PROBLEM_TEXT_CHARS ? text.slice(0, PROBLEM_TEXT_CHARS) : text, message };
}

/** A value read from JSON, quoted in a problem: cut short, and never a throw for one nested too deep to print. */
export function jsonExcerpt(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, PROBLEM_TEXT_CHARS);
  } catch {
    return '(a value nested too deeply to quote)';
  }
}

/** A device named by the catalog (params.dev) or on the command line (`... dev X ...`). */
export function deviceOf(input: ParseInput): string | undefined {
  if (input.params.dev) return input.params.dev;
  const i = input.argv.indexOf('dev');
  return i >= 0 ? input.argv[i + 1] : undefined;
}

/** The JSON objects a command printed; unreadable parts become problems, values that are not objects are skipped. */
export function jsonObjects(input: ParseInput, problems: ParseProblem[]): JsonObject[] {
  const read = readJsonValues(input.stdout, input.command);
  problems.push(...read.problems);
  return read.values.map((v) => v.value).filter(isObject);
}

/**
 * The items `read` makes of the JSON objects a command printed, each with the place it was printed. A value `read`
 * cannot use (not an object, or a field it needs missing: it answers undefined) becomes a problem saying what it is
 * not (`notA`, e.g. "not a route object (no dst)"), as do the parts of the output that are not JSON.
 */
export function itemsFromJson<T>(input: ParseInput, notA: string, read: (o: JsonObject, source: SourceRef) => T | undefined): { items: T[]; problems: ParseProblem[] } {
  const { values, problems, texts } = readJsonValues(input.stdout, input.command);
  const items: T[] = [];
  for (const [i, { value, line }] of values.entries()) {
    const item = isObject(value) ? read(value, printedSource(input.command, texts, i)) : undefined;
    if (item === undefined) problems.push({ command: input.command, line, text: jsonExcerpt(value), message: notA });
    else items.push(item);
  }
  return { items, problems };
}
