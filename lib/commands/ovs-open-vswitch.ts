import type { CommandDeclaration } from './declaration';
import { ovsTableParser } from '@/lib/parse/ovs';

export const ovsOpenVswitch = {
  id: 'ovs-open-vswitch',
  tool: 'ovs-vsctl',
  format: 'json',
  scope: 'host',
  argv: ['ovs-vsctl', '-f', 'json', 'list', 'Open_vSwitch'],
  optional: true,
  collect: true,
  summary: 'OVS root record',
  parse: ovsTableParser('Open_vSwitch'),
  fills: ['ovs'],
  secrets: true,
} as const satisfies CommandDeclaration;
