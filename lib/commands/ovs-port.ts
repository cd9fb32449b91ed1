import type { CommandDeclaration } from './declaration';
import { ovsTableParser } from '@/lib/parse/ovs';

export const ovsPort = {
  id: 'ovs-port',
  tool: 'ovs-vsctl',
  format: 'json',
  scope: 'host',
  argv: ['ovs-vsctl', '-f', 'json', 'list', 'Port'],
  optional: true,
  collect: true,
  summary: 'OVS ports',
  parse: ovsTableParser('Port'),
  fills: ['ovs'],
  secrets: true,
} as const satisfies CommandDeclaration;
