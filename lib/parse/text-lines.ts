/** Output split into lines, with the helpers every text parser needs. */

/** Lines of a command's stdout; a trailing newline does not make an extra empty line. */
export function splitLines(stdout: string): string[] {
  const lines = stdout.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Whitespace-separated words of a line. */
export function words(line: string): string[] {
  return line
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
}

/** The word after `key` in a word list, e.g. valueAfter(['dev','eth0'], 'dev') === 'eth0'. */
export function valueAfter(ws: readonly string[], key: string): string | undefined {
  const i = ws.indexOf(key);
  return i >= 0 && i + 1 < ws.length ? ws[i + 1] : undefined;
}

export function intOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  return Number(text);
}

export function indentOf(line: string): number {
  const m = /^[ \t]*/.exec(line);
  return m ? m[0].replace(/\t/g, '        ').length : 0;
}
