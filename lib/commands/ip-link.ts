import type { CommandDeclaration } from './declaration';
import { parseIpLink } from '@/lib/parse/ip-link';

/** `2: eth0@if7: <…>` headers and their indented lines (`ip link`, `ip addr`). */
export const LINK_RECORD_START = /^(?:\d+: |[^\s:<]+: <[A-Z0-9_,-]*> mtu |\s)/;

/**
 * The global options of a namespace's iproute2 listings. The collector reads them in one `ip -force -batch`, whose
 * options hold for every line, so each listing declares the form that batch runs: with them `addr show` adds each
 * link's details and counters, `route show` spells out the type, table, protocol and scope it leaves out by default
 * (`"type":"unicast"`, `"table":"main"`, `"protocol":"boot"`, `"scope":"global"`) and the counters of routes that
 * expire, and `rule show` every rule's protocol. The readers take either form: pastes keep coming without them.
 */
export const IP_LISTING_OPTIONS = ['-j', '-d', '-s', '-s'] as const;

export const ipLink = {
  id: 'ip-link',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', ...IP_LISTING_OPTIONS, 'link', 'show'],
  collect: true,
  summary: 'links with details and statistics',
  parse: parseIpLink,
  fills: ['interfaces'],
  textShapes: ['ip-link'],
  textRecordStart: LINK_RECORD_START,
} as const satisfies CommandDeclaration;
