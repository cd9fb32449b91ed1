import type { CommandDeclaration } from './declaration';
import { parseIpAddr } from '@/lib/parse/ip-addr';

export const ipAddr = {
  id: 'ip-addr',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', '-j', 'addr', 'show'],
  collect: true,
  summary: 'addresses',
  parse: parseIpAddr,
  fills: ['interfaces'],
} as const satisfies CommandDeclaration;
