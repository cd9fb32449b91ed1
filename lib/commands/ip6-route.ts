import type { CommandDeclaration } from './declaration';
import { IP_LISTING_OPTIONS } from './ip-link';
import { ROUTE_RECORD_START } from './ip-route';
import { parseIpRoute } from '@/lib/parse/ip-route';

export const ip6Route = {
  id: 'ip6-route',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', ...IP_LISTING_OPTIONS, '-6', 'route', 'show', 'table', 'all'],
  collect: true,
  summary: 'IPv6 routes, all tables',
  parse: parseIpRoute,
  fills: ['routes'],
  lineRecords: true,
  textShapes: ['route'],
  textRecordStart: ROUTE_RECORD_START,
} as const satisfies CommandDeclaration;
