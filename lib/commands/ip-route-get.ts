import type { CommandDeclaration } from './declaration';
import { parseIpRouteGet } from '@/lib/parse/ip-route-get';

export const ipRouteGet = {
  id: 'ip-route-get',
  tool: 'ip',
  format: 'text',
  scope: 'netns',
  argv: ['ip', 'route', 'get', '{dst}'],
  collect: false,
  summary: 'route lookup',
  parse: parseIpRouteGet,
  fills: ['routeLookups'],
} as const satisfies CommandDeclaration;
