import { describe, expect, it } from 'vitest';
import { progressBar, progressPrinter } from '@/cli/capture';
import type { Io } from '@/cli/io';
import type { HostProgress } from '@/lib/sources/source';

/** A collection of three hosts as the shared loop reports it: node-b fails, the others are collected. */
const EVENTS: HostProgress[] = [
  { host: 'node-a', role: 'worker', state: 'running', finished: 0, total: 3 },
  { host: 'node-b', role: 'worker', state: 'running', finished: 0, total: 3 },
  { host: 'node-a', role: 'worker', state: 'done', finished: 1, total: 3 },
  { host: 'node-c', role: 'worker', state: 'running', finished: 1, total: 3 },
  { host: 'node-b', role: 'worker', state: 'failed', reason: 'cancelled', finished: 2, total: 3 },
  { host: 'node-c', role: 'worker', state: 'done', finished: 3, total: 3 },
];

describe('collection progress on the command line', () => {
  it('draws a bar of the hosts finished, with how many run and failed', () => {
    expect(progressBar(0, 12, 3, 0)).toBe('[------------------------]  0/12 · 3 running');
    expect(progressBar(6, 12, 2, 1)).toBe('[############------------]  6/12 · 2 running · 1 failed');
    expect(progressBar(3, 3, 0, 0, 6)).toBe('[######] 3/3');
  });

  it('redraws the bar on a terminal, with a line above it for the host that failed, and clears it at the end', () => {
    const seen: string[] = [];
    const io: Io = { out: () => undefined, err: (line) => seen.push(`err ${line}`), status: (line) => seen.push(line === null ? 'clear' : `bar ${line}`) };
    const print = progressPrinter(io);
    for (const event of EVENTS) print(event);
    expect(seen).toEqual([
      'bar [------------------------] 0/3 · 1 running',
      'bar [------------------------] 0/3 · 2 running',
      'bar [########----------------] 1/3 · 1 running',
      'bar [########----------------] 1/3 · 2 running',
      'clear',
      'err [2/3] node-b failed: cancelled',
      'bar [################--------] 2/3 · 1 running · 1 failed',
      'clear',
    ]);
  });

  it('prints a line per finished host where standard error is not a terminal', () => {
    const seen: string[] = [];
    const print = progressPrinter({ out: () => undefined, err: (line) => seen.push(line) });
    for (const event of EVENTS) print(event);
    expect(seen).toEqual(['[1/3] node-a done', '[2/3] node-b failed: cancelled', '[3/3] node-c done']);
  });
});
