/** `conntrack -S`: one line of counters per CPU ("cpu=0 found=0 invalid=2 insert_failed=0 drop=0 ..."), summed. */
import type { ParseProblem } from './types';
import type { Parser } from './parser';
import { lineProblem, toInput } from './parser';
import { words } from './text-lines';

export const parseConntrackStats: Parser = (record) => {
  const input = toInput(record);
  const conntrackStats: Record<string, number> = {};
  const problems: ParseProblem[] = [];
  input.lines.forEach((line, i) => {
    const pairs = words(line).map((w) => /^([a-z_]+)=(\d+)$/.exec(w));
    if (pairs.length === 0) return;
    if (pairs.some((p) => p === null)) {
      problems.push(lineProblem(input.command, i + 1, line, 'not a conntrack counter line: skipped'));
      return;
    }
    for (const p of pairs) {
      if (p && p[1] !== 'cpu') conntrackStats[p[1]] = (conntrackStats[p[1]] ?? 0) + Number(p[2]);
    }
  });
  return { state: { conntrackStats }, problems };
};
