import type { CommandDeclaration } from './declaration';
import { parseProcNetRoute } from '@/lib/parse/proc-net-route';

export const procNetRoute = {
  id: 'proc-net-route',
  tool: 'cat',
  format: 'text',
  scope: 'netns',
  argv: ['cat', '/proc/net/route'],
  optional: true,
  collect: true,
  summary: 'IPv4 routes of the main table from /proc/net, where ip is missing',
  parse: parseProcNetRoute,
  fills: ['routes'],
  lineRecords: true,
  // The main table, which is what busybox's `ip -4 route` lists too; policy routing tables are not in it.
  fallbackFor: { id: 'ip-route', whole: true },
} as const satisfies CommandDeclaration;
