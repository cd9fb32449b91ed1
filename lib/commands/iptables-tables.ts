import type { CommandDeclaration } from './declaration';
import { parseIptables } from '@/lib/parse/iptables';

/**
 * Every table of a pod namespace in one process: its tables are empty or hold a sidecar's few rules, and each
 * `iptables-save` loads its libraries anew (one of the dearest processes of a namespace). The root namespace keeps
 * the per-table listings (iptables-raw, iptables-filter): a kube-proxy node's nat and mangle tables there can be
 * megabytes that no rule reads.
 */
export const iptablesTables = {
  id: 'iptables-tables',
  tool: 'iptables-save',
  format: 'text',
  scope: 'netns',
  namespaces: 'named',
  argv: ['iptables-save'],
  holds: ['iptables-raw', 'iptables-filter'],
  optional: true,
  collect: true,
  summary: 'all tables',
  parse: parseIptables,
  fills: ['firewall'],
  textShapes: ['iptables'],
} as const satisfies CommandDeclaration;
