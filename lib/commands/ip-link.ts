import type { CommandDeclaration } from './declaration';
import { parseIpLink } from '@/lib/parse/ip-link';

/** `2: eth0@if7: <…>` headers and their indented lines (`ip link`, `ip addr`). */
export const LINK_RECORD_START = /^(?:\d+: |[^\s:<]+: <[A-Z0-9_,-]*> mtu |\s)/;

export const ipLink = {
  id: 'ip-link',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', '-j', '-d', '-s', '-s', 'link', 'show'],
  collect: true,
  summary: 'links with details and statistics',
  parse: parseIpLink,
  fills: ['interfaces'],
  textShapes: ['ip-link'],
  textRecordStart: LINK_RECORD_START,
} as const satisfies CommandDeclaration;
