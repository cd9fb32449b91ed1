import type { CommandDeclaration } from './declaration';
import { parseOvsDumpPorts } from '@/lib/parse/ovs';

export const ovsOfctlDumpPorts = {
  id: 'ovs-ofctl-dump-ports',
  tool: 'ovs-ofctl',
  format: 'text',
  scope: 'host',
  argv: ['ovs-ofctl', 'dump-ports', '{bridge}'],
  optional: true,
  collect: false,
  summary: 'OpenFlow port counters',
  parse: parseOvsDumpPorts,
  fills: ['ovs'],
} as const satisfies CommandDeclaration;
