import type { CommandDeclaration } from './declaration';
import { ovsTableParser } from '@/lib/parse/ovs';

export const ovsBridge = {
  id: 'ovs-bridge',
  tool: 'ovs-vsctl',
  format: 'json',
  scope: 'host',
  argv: ['ovs-vsctl', '-f', 'json', 'list', 'Bridge'],
  optional: true,
  collect: true,
  summary: 'OVS bridges',
  parse: ovsTableParser('Bridge'),
  fills: ['ovs'],
  secrets: true,
} as const satisfies CommandDeclaration;
