import type { CommandDeclaration } from './declaration';
import { parseProcNetAddr } from '@/lib/parse/proc-net-addr';

/** IPv6 addresses by device, and the IPv4 local addresses with the routes that place them (lib/parse/proc-net-addr.ts). */
export const procNetAddr = {
  id: 'proc-net-addr',
  tool: 'cat',
  format: 'text',
  scope: 'netns',
  argv: ['cat', '/proc/net/if_inet6', '/proc/net/route', '/proc/net/fib_trie'],
  optional: true,
  collect: true,
  summary: 'addresses from /proc/net, where ip is missing',
  parse: parseProcNetAddr,
  fills: ['interfaces'],
  // An IPv4 address without a prefix route cannot be placed: a device without addresses here may have some.
  fallbackFor: { id: 'ip-addr', whole: false },
} as const satisfies CommandDeclaration;
