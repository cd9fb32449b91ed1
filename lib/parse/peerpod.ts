/** /run/peerpod/podnetwork.json on a pod VM: the tunnel config the pod VM was given (podip, pod-hw-addr, vxlan-id...). */
import type { Parser } from './parser';
import { lineProblem, toInput } from './parser';
import { readJsonValues } from './json-values';
import { isObject } from './json-fields';

export const parsePeerpodConfig: Parser = (record) => {
  const input = toInput(record);
  const { values, problems } = readJsonValues(input.stdout, input.command);
  let config = values.map((v) => v.value).find(isObject);
  if (config && !storable(config)) {
    problems.push(lineProblem(input.command, 1, input.lines[0] ?? '', 'the peer-pod network config is nested too deeply to keep: not read'));
    config = undefined;
  } else if (!config && problems.length === 0) {
    problems.push(lineProblem(input.command, 1, input.lines[0] ?? '', 'the peer-pod network config is not a JSON object'));
  }
  return { state: config ? { peerpodConfig: config } : {}, problems };
};

/** The config is kept whole and stored with the snapshot: a value nested too deep for JSON.stringify cannot be. */
function storable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}
