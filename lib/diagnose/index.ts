// Minimal starting point; the rule registry replaces this file.
import type { Topology } from '@/lib/topology/types';
import type { Diagnosis } from './types';

export const RULES_VERSION = '0.0.0';

export function diagnose(_topology: Topology): Diagnosis {
  return { rulesVersion: RULES_VERSION, findings: [] };
}
