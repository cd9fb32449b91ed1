import type { CommandDeclaration } from './declaration';
import { ovsTableParser } from '@/lib/parse/ovs';

export const ovsInterface = {
  id: 'ovs-interface',
  tool: 'ovs-vsctl',
  format: 'json',
  scope: 'host',
  argv: ['ovs-vsctl', '-f', 'json', 'list', 'Interface'],
  optional: true,
  collect: true,
  summary: 'OVS interfaces',
  parse: ovsTableParser('Interface'),
  fills: ['ovs'],
  secrets: true,
} as const satisfies CommandDeclaration;
