import type { CommandDeclaration } from './declaration';
import { parseRouteN } from '@/lib/parse/route-n';

export const routeN = {
  id: 'route-n',
  tool: 'route',
  format: 'text',
  scope: 'netns',
  argv: ['route', '-n'],
  optional: true,
  collect: false,
  summary: 'IPv4 routes (net-tools route -n, netstat -rn)',
  parse: parseRouteN,
  fills: ['routes'],
  lineRecords: true,
  textShapes: ['route-n'],
} as const satisfies CommandDeclaration;
