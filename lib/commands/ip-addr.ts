import type { CommandDeclaration } from './declaration';
import { IP_LISTING_OPTIONS, LINK_RECORD_START } from './ip-link';
import { parseIpAddr } from '@/lib/parse/ip-addr';

export const ipAddr = {
  id: 'ip-addr',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', ...IP_LISTING_OPTIONS, 'addr', 'show'],
  collect: true,
  summary: 'addresses',
  parse: parseIpAddr,
  fills: ['interfaces'],
  textShapes: ['ip-link'],
  textRecordStart: LINK_RECORD_START,
} as const satisfies CommandDeclaration;
