/** `ovn-nbctl [-f json] list Logical_Switch_Port`: the addresses and state OVN holds for each pod port. */
import type { OvnLogicalSwitchPort } from './types';
import type { Parser } from './parser';
import { toInput } from './parser';
import { readOvsdbTable, list, rowSource, text } from './ovs';
import { stripUndefined } from './ip-link';

export const parseOvnLsp: Parser = (record) => {
  const input = toInput(record);
  const { rows, problems } = readOvsdbTable(input, ['name', 'addresses', 'port_security', 'up', 'type']);
  const ovnLogicalPorts: OvnLogicalSwitchPort[] = [];
  for (const row of rows) {
    const r = row.values;
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
        source: rowSource(input.command, row),
      }),
    );
  }
  return { state: { ovnLogicalPorts }, problems };
};
