/** Markdown that renders user-supplied names and output as text, never as HTML or links. */

/** Inline text: HTML metacharacters become entities, Markdown syntax characters are backslash-escaped. */
export function mdText(value: string): string {
  return (
    value
      // Control characters are exactly what must go: they are invalid in XML and invisible in Markdown.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`)
      .replace(/\r?\n/g, ' ')
  );
}

/** Multi-line prose: like mdText per line, keeping line breaks. */
export function mdParagraphs(value: string): string {
  return value
    .split(/\r?\n/)
    .map((line) => mdText(line))
    .join('\n');
}

function longestBacktickRun(value: string): number {
  let longest = 0;
  for (const run of value.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** Code span: content is literal (CommonMark renders it as text); the fence outgrows any backticks inside. */
export function mdCode(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  const fence = '`'.repeat(longestBacktickRun(clean) + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** Fenced code block; a fence longer than any backtick run inside cannot be closed early by the content. */
export function mdCodeBlock(lines: string[], info = ''): string {
  const body = lines.join('\n');
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}
