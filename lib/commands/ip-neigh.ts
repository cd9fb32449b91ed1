import type { CommandDeclaration } from './declaration';
import { parseIpNeigh } from '@/lib/parse/ip-neigh';

export const ipNeigh = {
  id: 'ip-neigh',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', '-j', '-s', 'neigh', 'show'],
  collect: true,
  summary: 'neighbours, with their ages',
  parse: parseIpNeigh,
  fills: ['neighbors'],
  lineRecords: true,
  textShapes: ['neigh'],
  textRecordStart: /^(?:\s|[0-9a-f.:]+\s)/,
} as const satisfies CommandDeclaration;
