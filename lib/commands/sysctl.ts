import type { CommandDeclaration } from './declaration';
import { parseSysctl } from '@/lib/parse/sysctl';

const RP_FILTER_KEYS = '^net\\.ipv4\\.(ip_forward|conf\\..*\\.rp_filter)$';

export const sysctl = {
  id: 'sysctl',
  tool: 'sysctl',
  format: 'text',
  scope: 'netns',
  argv: ['sysctl', '-a', '-r', RP_FILTER_KEYS],
  optional: true,
  collect: true,
  summary: 'ip_forward and rp_filter',
  parse: parseSysctl,
  fills: ['sysctls'],
  lineRecords: true,
} as const satisfies CommandDeclaration;
