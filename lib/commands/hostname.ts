import type { CommandDeclaration } from './declaration';

export const hostname = {
  id: 'hostname',
  tool: 'hostname',
  format: 'text',
  scope: 'host',
  argv: ['hostname'],
  collect: true,
  summary: 'host name',
} as const satisfies CommandDeclaration;
