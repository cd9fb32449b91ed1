import type { CommandDeclaration } from './declaration';
import { LINK_RECORD_START } from './ip-link';
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
  textShapes: ['ip-link'],
  textRecordStart: LINK_RECORD_START,
} as const satisfies CommandDeclaration;
