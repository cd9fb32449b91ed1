/** /run/peerpod/podnetwork.json on a pod VM: the tunnel config the pod VM was given (podip, pod-hw-addr, vxlan-id...). */
import type { Parser } from './parser';
import { toInput } from './parser';
import { readJsonValues } from './json-values';
import { isObject } from './json-fields';

export const parsePeerpodConfig: Parser = (record) => {
  const input = toInput(record);
  const { values, problems } = readJsonValues(input.stdout, input.command);
  const config = values.map((v) => v.value).find(isObject);
  if (!config && problems.length === 0) {
    problems.push({ command: input.command, line: 1, text: input.lines[0] ?? '', message: 'the peer-pod network config is not a JSON object' });
  }
  return { state: config ? { peerpodConfig: config } : {}, problems };
};
