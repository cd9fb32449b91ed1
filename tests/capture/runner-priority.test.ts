/**
 * The processes a runner starts as background work (the dashboard's collections) run at the priority it is given,
 * and so does everything they start; this process keeps its own.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { LocalRunner } from '@/lib/capture/collect/runner';

/** What the shell prints: the stat line of a command it started (`cat` reading its own), then its session's autogroup. */
const REPORT = 'cat /proc/self/stat; cat /proc/$$/autogroup 2>/dev/null || echo none\n';

function niceOfStat(line: string): number {
  return Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[16]);
}

/** The shell reads its script from stdin, as the collector does: what it runs starts after the runner lowered it. */
async function report(runner: LocalRunner): Promise<{ nice: number; autogroup: string }> {
  const result = await runner.run(['sh'], { input: REPORT });
  expect(result.status).toBe('ok');
  const [stat, autogroup] = result.stdout.trim().split('\n');
  return { nice: niceOfStat(stat), autogroup };
}

describe.runIf(process.platform === 'linux')('a local runner’s priority', () => {
  it('runs the command, what it starts and its session’s autogroup at the nice it was given, this process unchanged', async () => {
    const ownNice = os.getPriority();
    const ownAutogroup = readFileSync('/proc/self/autogroup', 'utf8');
    const lowered = await report(new LocalRunner({ nice: 13 }));
    expect(lowered.nice).toBe(13);
    // A kernel without autogroup has no such file: nothing to lower there.
    if (lowered.autogroup !== 'none') expect(lowered.autogroup).toMatch(/ nice 13$/);
    expect(os.getPriority()).toBe(ownNice);
    expect(readFileSync('/proc/self/autogroup', 'utf8')).toBe(ownAutogroup);
  });

  it('leaves the command at this process’s priority without one', async () => {
    const level = await report(new LocalRunner());
    expect(level.nice).toBe(os.getPriority());
    if (level.autogroup !== 'none') expect(level.autogroup).toMatch(/ nice 0$/);
  });
});
