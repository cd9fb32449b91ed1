/** `sysctl -a -r PATTERN` / `sysctl KEY...`: "key = value" lines. */
import type { ParseProblem } from './types';
import type { Parser } from './parser';
import { jsonObjects, lineProblem, toInput } from './parser';
import { scalarText } from './json-fields';

export const parseSysctl: Parser = (record) => {
  const input = toInput(record);
  const sysctls: Record<string, string> = {};
  const problems: ParseProblem[] = [];
  if (input.isJson) {
    for (const value of jsonObjects(input, problems)) {
      for (const [k, v] of Object.entries(value)) {
        const text = scalarText(v);
        if (text !== undefined) sysctls[k] = text;
      }
    }
    return { state: { sysctls }, problems };
  }
  input.lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^\s*([A-Za-z0-9_.\-/]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) sysctls[m[1].replace(/\//g, '.')] = m[2];
    else problems.push(lineProblem(input.command, i + 1, line, 'not a "key = value" line: skipped'));
  });
  return { state: { sysctls }, problems };
};
