import type { CommandDeclaration } from './declaration';
import { parseIpRoute } from '@/lib/parse/ip-route';

export const ipRoute = {
  id: 'ip-route',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', '-j', 'route', 'show', 'table', 'all'],
  collect: true,
  summary: 'IPv4 routes, all tables',
  parse: parseIpRoute,
  fills: ['routes'],
  lineRecords: true,
} as const satisfies CommandDeclaration;
