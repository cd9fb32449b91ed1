import type { CommandDeclaration } from './declaration';
import { parseTcQdisc } from '@/lib/parse/tc';

export const tcQdisc = {
  id: 'tc-qdisc',
  tool: 'tc',
  format: 'json',
  scope: 'netns',
  argv: ['tc', '-j', 'qdisc', 'show'],
  collect: true,
  summary: 'qdiscs',
  parse: parseTcQdisc,
  fills: ['qdiscs'],
  textShapes: ['tc-qdisc'],
} as const satisfies CommandDeclaration;
