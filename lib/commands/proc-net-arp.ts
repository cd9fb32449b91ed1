import type { CommandDeclaration } from './declaration';
import { parseProcNetArp } from '@/lib/parse/proc-net-arp';

export const procNetArp = {
  id: 'proc-net-arp',
  tool: 'cat',
  format: 'text',
  scope: 'netns',
  argv: ['cat', '/proc/net/arp'],
  optional: true,
  collect: true,
  summary: 'IPv4 neighbours from /proc/net, where ip is missing',
  parse: parseProcNetArp,
  fills: ['neighbors'],
  lineRecords: true,
  // IPv4 only (the kernel has no /proc file of IPv6 neighbours): a missing IPv6 neighbour stays unknown.
  fallbackFor: { id: 'ip-neigh', whole: false },
} as const satisfies CommandDeclaration;
