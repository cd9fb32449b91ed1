import type { CommandDeclaration } from './declaration';
import { parseIptables } from '@/lib/parse/iptables';

export const iptablesRaw = {
  id: 'iptables-raw',
  tool: 'iptables-save',
  format: 'text',
  scope: 'netns',
  // Named namespaces read every table at once (iptables-tables).
  namespaces: 'root',
  argv: ['iptables-save', '-t', 'raw'],
  optional: true,
  collect: true,
  summary: 'raw table',
  parse: parseIptables,
  fills: ['firewall'],
  textShapes: ['iptables'],
} as const satisfies CommandDeclaration;
