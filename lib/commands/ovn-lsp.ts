import type { CommandDeclaration } from './declaration';
import { parseOvnLsp } from '@/lib/parse/ovn';

export const ovnLsp = {
  id: 'ovn-lsp',
  tool: 'ovn-nbctl',
  format: 'json',
  scope: 'host',
  argv: ['ovn-nbctl', '-f', 'json', 'list', 'Logical_Switch_Port'],
  optional: true,
  collect: true,
  summary: 'OVN logical switch ports',
  parse: parseOvnLsp,
  fills: ['ovnLogicalPorts'],
  secrets: true,
} as const satisfies CommandDeclaration;
