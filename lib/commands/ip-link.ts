import type { CommandDeclaration } from './declaration';
import { parseIpLink } from '@/lib/parse/ip-link';

export const ipLink = {
  id: 'ip-link',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', '-j', '-d', '-s', '-s', 'link', 'show'],
  collect: true,
  summary: 'links with details and statistics',
  parse: parseIpLink,
  fills: ['interfaces'],
} as const satisfies CommandDeclaration;
