import type { CommandDeclaration } from './declaration';
import { parseOvsShow } from '@/lib/parse/ovs';

export const ovsShow = {
  id: 'ovs-show',
  tool: 'ovs-vsctl',
  format: 'text',
  scope: 'host',
  argv: ['ovs-vsctl', 'show'],
  optional: true,
  collect: false,
  summary: 'OVS overview (text)',
  parse: parseOvsShow,
  fills: ['ovs'],
  secrets: true,
  textShapes: ['ovs-show'],
} as const satisfies CommandDeclaration;
