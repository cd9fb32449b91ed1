import type { CommandDeclaration } from './declaration';
import { IP_LISTING_OPTIONS } from './ip-link';
import { parseIpRule } from '@/lib/parse/ip-rule';

export const ipRule = {
  id: 'ip-rule',
  tool: 'ip',
  format: 'json',
  scope: 'netns',
  argv: ['ip', ...IP_LISTING_OPTIONS, 'rule', 'show'],
  // iproute2 before 4.17 has no JSON for rules: a failure there is no reason to call the host partial.
  optional: true,
  collect: true,
  summary: 'IPv4 policy routing rules',
  parse: parseIpRule,
  fills: ['policyRules'],
  lineRecords: true,
  ipObject: 'rule',
} as const satisfies CommandDeclaration;
