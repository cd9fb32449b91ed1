import type { CommandDeclaration } from './declaration';
import { parseBpftoolNet } from '@/lib/parse/bpftool';

export const bpftoolNet = {
  id: 'bpftool-net',
  tool: 'bpftool',
  format: 'json',
  scope: 'netns',
  argv: ['bpftool', '-j', 'net', 'show'],
  optional: true,
  collect: true,
  summary: 'BPF on tc/tcx/xdp',
  parse: parseBpftoolNet,
  fills: ['bpf'],
} as const satisfies CommandDeclaration;
