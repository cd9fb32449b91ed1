import type { CommandDeclaration } from './declaration';
import { parseArp } from '@/lib/parse/ip-neigh';

export const arp = {
  id: 'arp',
  tool: 'arp',
  format: 'text',
  scope: 'netns',
  argv: ['arp', '-n'],
  optional: true,
  collect: false,
  summary: 'ARP cache (net-tools)',
  parse: parseArp,
  fills: ['neighbors'],
  lineRecords: true,
  textShapes: ['arp-n', 'arp-a'],
} as const satisfies CommandDeclaration;
