import type { CommandDeclaration } from './declaration';
import { parseIptables } from '@/lib/parse/iptables';

export const iptablesRules = {
  id: 'iptables-rules',
  tool: 'iptables',
  format: 'text',
  scope: 'netns',
  argv: ['iptables', '-S'],
  optional: true,
  collect: false,
  summary: 'rules (-S form)',
  parse: parseIptables,
  fills: ['firewall'],
  lineRecords: true,
  textShapes: ['iptables'],
} as const satisfies CommandDeclaration;
