import type { CommandDeclaration } from './declaration';
import { parseIptables } from '@/lib/parse/iptables';

export const iptablesFilter = {
  id: 'iptables-filter',
  tool: 'iptables-save',
  format: 'text',
  scope: 'netns',
  // Named namespaces read every table at once (iptables-tables).
  namespaces: 'root',
  argv: ['iptables-save', '-t', 'filter'],
  optional: true,
  collect: true,
  summary: 'filter table',
  parse: parseIptables,
  fills: ['firewall'],
  textShapes: ['iptables'],
} as const satisfies CommandDeclaration;
