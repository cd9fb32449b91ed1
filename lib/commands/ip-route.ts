import type { CommandDeclaration } from './declaration';
import { IP_LISTING_OPTIONS } from './ip-link';
import { parseIpRoute } from '@/lib/parse/ip-route';

/** A route line is a destination (or route type) followed by more words; a lone address is a wrapped tail. */
export const ROUTE_RECORD_START = /^(?:\s|(?:default|unreachable|prohibit|blackhole|throw|local|broadcast|multicast|anycast|nat|unicast|[0-9a-f.:]+(?:\/\d+)?)\s+\S)/;

export const ipRoute = {
  id: 'ip-route',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', ...IP_LISTING_OPTIONS, 'route', 'show', 'table', 'all'],
  collect: true,
  summary: 'IPv4 routes, all tables',
  parse: parseIpRoute,
  fills: ['routes'],
  lineRecords: true,
  textShapes: ['route'],
  textRecordStart: ROUTE_RECORD_START,
} as const satisfies CommandDeclaration;
