import type { CommandDeclaration } from './declaration';
import { parseNetns } from '@/lib/parse/netns';

export const netnsListId = {
  id: 'netns-list-id',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', '-j', 'netns', 'list-id'],
  collect: true,
  summary: 'netns ids as seen from this namespace (resolves link_netnsid)',
  parse: parseNetns,
  fills: ['netnsIds'],
  lineRecords: true,
  textShapes: ['nsid'],
} as const satisfies CommandDeclaration;
