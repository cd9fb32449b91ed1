import type { CommandDeclaration } from './declaration';
import { wantsFilterJob } from './tc-hooks';
import { parseTcFilter } from '@/lib/parse/tc';

export const tcFilter = {
  id: 'tc-filter',
  tool: 'tc',
  format: 'json',
  scope: 'device',
  argv: ['tc', '-j', 'filter', 'show', 'dev', '{dev}', '{hook}'],
  variants: [{ hook: 'ingress' }, { hook: 'egress' }],
  select: wantsFilterJob,
  collectorJobs: 'filter_hooks',
  collect: true,
  summary: 'tc filters per device and hook that a clsact or ingress qdisc can hold',
  parse: parseTcFilter,
  fills: ['tcFilters'],
  textShapes: ['tc-filter'],
} as const satisfies CommandDeclaration;
