import type { CommandDeclaration } from './declaration';
import { parseIpNetconf } from '@/lib/parse/ip-netconf';

export const ipNetconf = {
  id: 'ip-netconf',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', '-j', 'netconf', 'show'],
  optional: true,
  batchedOnly: true,
  collect: true,
  summary: 'ip_forward and rp_filter, read in the ip batch',
  parse: parseIpNetconf,
  fills: ['sysctls'],
  ipObject: 'netconf',
} as const satisfies CommandDeclaration;
