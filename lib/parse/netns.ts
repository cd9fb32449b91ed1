/** `ip -j netns list-id` / `ip netns list-id` and `ip -j netns list` / `ip netns list`: nsid → namespace name. */
import type { NetnsId, ParseProblem } from './types';
import type { Parser } from './parser';
import { jsonObjects, lineProblem, toInput } from './parser';
import { num, str } from './json-fields';

export const parseNetns: Parser = (record) => {
  const input = toInput(record);
  const netnsIds: NetnsId[] = [];
  const problems: ParseProblem[] = [];
  if (input.isJson) {
    for (const value of jsonObjects(input, problems)) {
      const nsid = num(value, 'nsid') ?? num(value, 'id');
      const name = str(value, 'name');
      if (nsid !== undefined) netnsIds.push(name === undefined ? { nsid } : { nsid, name });
    }
    return { state: { netnsIds }, problems };
  }
  input.lines.forEach((line, i) => {
    if (line.trim() === '') return;
    // list-id: "nsid 1 (iproute2 netns name: pod-ns)" or "nsid 0"; list: "pod-ns (id: 1)" or "pod-ns".
    const listId = /^nsid\s+(-?\d+)(?:\s+\(iproute2 netns name:\s*(.+?)\))?\s*$/.exec(line);
    const list = /^(\S+)(?:\s+\(id:\s*(-?\d+)\))?\s*$/.exec(line);
    if (listId) netnsIds.push(listId[2] ? { nsid: Number(listId[1]), name: listId[2] } : { nsid: Number(listId[1]) });
    else if (list) {
      if (list[2] !== undefined) netnsIds.push({ nsid: Number(list[2]), name: list[1] });
    } else problems.push(lineProblem(input.command, i + 1, line, 'not a netns line: skipped'));
  });
  return { state: { netnsIds }, problems };
};
