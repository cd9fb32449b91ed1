/** `ovn-nbctl -f json list Logical_Switch_Port`: the addresses and state OVN holds for each pod port. */
import type { OvnLogicalSwitchPort } from './types';
import type { Parser } from './parser';
import { jsonSource, toInput } from './parser';
import { readOvsdbTable, list, text } from './ovs';
import { stripUndefined } from './ip-link';

export const parseOvnLsp: Parser = (record) => {
  const input = toInput(record);
  const { rows, problems } = readOvsdbTable(input);
  const ovnLogicalPorts: OvnLogicalSwitchPort[] = [];
  for (const { values: r, raw } of rows) {
    const name = text(r.name);
    if (name === undefined) continue;
    const up = typeof r.up === 'boolean' ? r.up : undefined;
    ovnLogicalPorts.push(
      stripUndefined({
        name,
        addresses: list(r.addresses),
        portSecurity: list(r.port_security),
        up,
        type: text(r.type),
        source: jsonSource(input.command, raw),
      }),
    );
  }
  if (!input.isJson && input.lines.length > 0 && problems.length === 0) {
    problems.push({ command: input.command, line: 1, text: input.lines[0], message: 'expected JSON (ovn-nbctl -f json list Logical_Switch_Port)' });
  }
  return { state: { ovnLogicalPorts }, problems };
};
