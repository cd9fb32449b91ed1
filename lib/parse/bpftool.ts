/**
 * `bpftool -j net show` and `bpftool net show`: BPF programs on devices (xdp, tc, tcx). Cilium on kernels with
 * tcx attaches there, and `tc filter show` then prints nothing.
 */
import type { BpfAttachment, ParseProblem } from './types';
import type { Parser } from './parser';
import { jsonObjects, lineProblem, toInput } from './parser';
import { arr, isObject, num, str, type JsonObject } from './json-fields';
import { intOrUndefined, valueAfter, words } from './text-lines';

export const parseBpftoolNet: Parser = (record) => {
  const input = toInput(record);
  const bpf: BpfAttachment[] = [];
  const problems: ParseProblem[] = [];
  if (input.isJson) {
    for (const value of jsonObjects(input, problems)) bpf.push(...attachmentsFromJson(value));
    return { state: { bpf }, problems };
  }
  let section = '';
  input.lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const header = /^([a-z_]+):$/.exec(trimmed);
    if (header) {
      section = header[1];
      return;
    }
    // "eth0(2) tcx/ingress cil_from_netdev prog_id 1234 link_id 5", "eth0(2) driver id 42"
    const m = /^(\S+)\((\d+)\)\s+(\S+)(?:\s+(\S+))?/.exec(trimmed);
    if (!m) {
      problems.push(lineProblem(input.command, i + 1, line, 'not a bpftool net line: skipped'));
      return;
    }
    const ws = words(trimmed);
    const id = intOrUndefined(valueAfter(ws, 'prog_id') ?? valueAfter(ws, 'id'));
    const named = m[4] !== undefined && m[4] !== 'id' && m[4] !== 'prog_id';
    const entry: BpfAttachment = { dev: m[1], hook: section === 'xdp' ? `xdp/${m[3]}` : m[3], name: named ? m[4] : '' };
    bpf.push(id === undefined ? entry : { ...entry, id });
  });
  return { state: { bpf }, problems };
};

function attachmentsFromJson(o: JsonObject): BpfAttachment[] {
  const out: BpfAttachment[] = [];
  for (const t of arr(o, 'tc').filter(isObject)) {
    const id = num(t, 'prog_id') ?? num(t, 'id');
    const entry = { dev: str(t, 'devname') ?? '', hook: str(t, 'kind') ?? 'tc', name: str(t, 'name') ?? '' };
    out.push(id === undefined ? entry : { ...entry, id });
  }
  for (const x of arr(o, 'xdp').filter(isObject)) {
    const progs = arr(x, 'multi_attachments').filter(isObject);
    for (const p of progs.length > 0 ? progs : [x]) {
      const id = num(p, 'id');
      const entry = { dev: str(x, 'devname') ?? '', hook: `xdp/${str(p, 'mode') ?? 'unknown'}`, name: str(p, 'name') ?? '' };
      out.push(id === undefined ? entry : { ...entry, id });
    }
  }
  return out;
}
