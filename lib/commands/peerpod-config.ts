import type { CommandDeclaration } from './declaration';
import { parsePeerpodConfig } from '@/lib/parse/peerpod';

export const peerpodConfig = {
  id: 'peerpod-config',
  tool: 'cat',
  format: 'json',
  scope: 'host',
  argv: ['cat', '/run/peerpod/podnetwork.json'],
  optional: true,
  collect: true,
  summary: 'peer-pod tunnel config (pod VMs)',
  parse: parsePeerpodConfig,
  fills: ['peerpodConfig'],
  secrets: true,
} as const satisfies CommandDeclaration;
