/**
 * Splits one typed shell line into words the way a POSIX shell would, without running anything:
 * quotes, backslashes, `$VAR`/`${VAR}` from earlier assignments, comments, redirections dropped,
 * and segments separated by `;`, `&&`, `||`, `|`, `&`.
 */
export interface ShellSegment {
  words: string[];
  /** Operator that ended the segment, null for the last one. */
  op: ';' | '&&' | '||' | '|' | '&' | null;
}

export type ShellSplit = { ok: true; segments: ShellSegment[]; unresolved: string[] } | { ok: false; reason: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** Characters that mean nothing to the shell inside a word (`#` does only at a word's start). */
const ORDINARY_RUN = /[^ \t#;&|<>'"\\$`]*/y;

/**
 * Wraps the text of a command substitution inside a word: its value is only known at run time, so a reader may take
 * a word holding one where any value does (an exec target) and must refuse it elsewhere.
 */
export const SUBSTITUTION = '\u0000';

class Splitter {
  private i = 0;
  private word: string | null = null;
  private words: string[] = [];
  private redirectTarget = false;
  readonly segments: ShellSegment[] = [];
  readonly unresolved: string[] = [];

  constructor(
    private readonly line: string,
    private readonly vars: Record<string, string>,
    private readonly keepSubstitutions: boolean,
  ) {}

  private add(text: string): void {
    this.word = (this.word ?? '') + text;
  }

  private endWord(): void {
    if (this.word === null) return;
    if (this.redirectTarget) this.redirectTarget = false;
    else this.words.push(this.word);
    this.word = null;
  }

  private endSegment(op: ShellSegment['op']): void {
    this.endWord();
    if (this.words.length > 0 || op !== null) this.segments.push({ words: this.words, op });
    this.words = [];
  }

  /** `$(…)` or `` `…` `` at position i: kept as its text between SUBSTITUTION marks where the caller asked, else refused. */
  private substitution(): string | null {
    if (!this.keepSubstitutions) return `command substitution ${this.line[this.i] === '`' ? '`...`' : '$(...)'} cannot be replayed from a transcript`;
    let end = -1;
    if (this.line[this.i] === '`') end = this.line.indexOf('`', this.i + 1);
    else {
      let depth = 0;
      for (let k = this.i + 1; k < this.line.length && end < 0; k++) {
        if (this.line[k] === '(') depth += 1;
        else if (this.line[k] === ')' && --depth === 0) end = k;
      }
    }
    if (end < 0) return 'unterminated command substitution';
    this.add(`${SUBSTITUTION}${this.line.slice(this.i, end + 1)}${SUBSTITUTION}`);
    this.i = end + 1;
    return null;
  }

  /** Reads `$NAME`, `${NAME}`, `$(…)` at position i (which is at `$`); a reason where it cannot. */
  private expand(): string | null {
    const rest = this.line.slice(this.i + 1);
    if (rest.startsWith('(')) return this.substitution();
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
    const plain = braced ? null : NAME.exec(rest);
    const name = braced ? braced[1] : plain ? plain[0] : null;
    if (name === null) {
      this.add('$');
      this.i += 1;
      return null;
    }
    const value = this.vars[name];
    if (value === undefined) {
      this.unresolved.push(name);
      this.add(`$${name}`);
    } else this.add(value);
    this.i += 1 + (braced ? braced[0].length : name.length);
    return null;
  }

  private redirect(): void {
    if (this.word !== null && /^\d+$/.test(this.word)) this.word = null;
    else this.endWord();
    while (this.i < this.line.length && /[<>]/.test(this.line[this.i])) this.i += 1;
    if (this.line[this.i] === '&' && /\d|-/.test(this.line[this.i + 1] ?? '')) {
      this.i += 2;
      return;
    }
    this.redirectTarget = true;
  }

  private operator(): boolean {
    const two = this.line.slice(this.i, this.i + 2);
    if (two === '&&' || two === '||') {
      this.endSegment(two);
      this.i += 2;
      return true;
    }
    const c = this.line[this.i];
    if (c === '&' && this.line[this.i + 1] === '>') {
      this.endWord();
      this.i += 1;
      this.redirect();
      return true;
    }
    if (c === ';' || c === '|' || c === '&') {
      this.endSegment(c);
      this.i += 1;
      return true;
    }
    return false;
  }

  private singleQuoted(): boolean {
    const end = this.line.indexOf("'", this.i + 1);
    if (end < 0) return false;
    this.add(this.line.slice(this.i + 1, end));
    this.i = end + 1;
    return true;
  }

  private doubleQuoted(): string | null {
    this.i += 1;
    this.add('');
    while (this.i < this.line.length) {
      const c = this.line[this.i];
      if (c === '"') {
        this.i += 1;
        return null;
      }
      if (c === '\\' && /["\\$`]/.test(this.line[this.i + 1] ?? '')) {
        this.add(this.line[this.i + 1]);
        this.i += 2;
      } else if (c === '$' || c === '`') {
        const err = c === '$' ? this.expand() : this.substitution();
        if (err) return err;
      } else {
        this.add(c);
        this.i += 1;
      }
    }
    return 'unterminated double quote';
  }

  split(): string | null {
    const line = this.line;
    while (this.i < line.length) {
      const c = line[this.i];
      if (c === ' ' || c === '\t') {
        this.endWord();
        this.i += 1;
      } else if (c === '#' && this.word === null) break;
      else if (this.operator()) continue;
      else if (c === '>' || c === '<') this.redirect();
      else if (c === "'") {
        if (!this.singleQuoted()) return 'unterminated single quote';
      } else if (c === '"') {
        const err = this.doubleQuoted();
        if (err) return err;
      } else if (c === '\\') {
        this.add(line[this.i + 1] ?? '');
        this.i += 2;
      } else if (c === '$' || c === '`') {
        const err = c === '$' ? this.expand() : this.substitution();
        if (err) return err;
      } else {
        // The whole run at once: a collector output's command lines are read by the hundred per host.
        ORDINARY_RUN.lastIndex = this.i + 1;
        ORDINARY_RUN.exec(line);
        this.add(line.slice(this.i, ORDINARY_RUN.lastIndex));
        this.i = ORDINARY_RUN.lastIndex;
      }
    }
    this.endSegment(null);
    return null;
  }
}

/** `keepSubstitutions`: a `$(…)` becomes part of its word between SUBSTITUTION marks instead of refusing the line. */
export function splitShellLine(line: string, vars: Record<string, string> = {}, keepSubstitutions = false): ShellSplit {
  const splitter = new Splitter(line, vars, keepSubstitutions);
  const error = splitter.split();
  if (error) return { ok: false, reason: error };
  return { ok: true, segments: splitter.segments, unresolved: splitter.unresolved };
}

/** Quotes a word for display so that splitShellLine reads it back unchanged. */
export function quoteShellWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
