import type { CommandDeclaration } from './declaration';
import { parseBridgeFdb } from '@/lib/parse/bridge-fdb';

export const bridgeFdb = {
  id: 'bridge-fdb',
  tool: 'bridge',
  format: 'json',
  scope: 'netns',
  argv: ['bridge', '-j', 'fdb', 'show'],
  collect: true,
  summary: 'bridge and VXLAN FDB',
  parse: parseBridgeFdb,
  fills: ['fdb'],
  lineRecords: true,
  textShapes: ['fdb'],
} as const satisfies CommandDeclaration;
