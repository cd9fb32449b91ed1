import type { CommandDeclaration } from './declaration';
import { parseConntrackStats } from '@/lib/parse/conntrack';

export const conntrackStats = {
  id: 'conntrack-stats',
  tool: 'conntrack',
  format: 'text',
  scope: 'host',
  argv: ['conntrack', '-S'],
  optional: true,
  collect: true,
  summary: 'conntrack counters',
  parse: parseConntrackStats,
  fills: ['conntrackStats'],
} as const satisfies CommandDeclaration;
