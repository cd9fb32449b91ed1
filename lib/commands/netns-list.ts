import type { CommandDeclaration } from './declaration';
import { parseNetns } from '@/lib/parse/netns';

export const netnsList = {
  id: 'netns-list',
  tool: 'ip',
  format: 'json',
  scope: 'host',
  argv: ['ip', '-j', 'netns', 'list'],
  collect: true,
  summary: 'named namespaces',
  parse: parseNetns,
  fills: ['netnsIds'],
  lineRecords: true,
} as const satisfies CommandDeclaration;
