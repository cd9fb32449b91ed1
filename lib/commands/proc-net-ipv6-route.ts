import type { CommandDeclaration } from './declaration';
import { parseProcNetIpv6Route } from '@/lib/parse/proc-net-route';

export const procNetIpv6Route = {
  id: 'proc-net-ipv6-route',
  tool: 'cat',
  format: 'text',
  scope: 'netns',
  argv: ['cat', '/proc/net/ipv6_route'],
  optional: true,
  collect: true,
  summary: 'IPv6 routes of every table from /proc/net, where ip is missing',
  parse: parseProcNetIpv6Route,
  fills: ['routes'],
  lineRecords: true,
  fallbackFor: { id: 'ip6-route', whole: true },
} as const satisfies CommandDeclaration;
