/**
 * The command line's time budget (issue 21): a command that runs past TUNNELSCOPE_ANALYSIS_TIMEOUT_MS ends with
 * one line naming the budget and a non-zero exit, instead of spinning; within the budget nothing changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-budget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tunnelscope.mjs'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A transcript of thousands of hosts: seconds of import and analysis, far past a budget of a fraction of one. */
function manyHosts(hosts: number): string {
  const parts: string[] = [];
  for (let i = 0; i < hosts; i++) {
    const links = Array.from(
      { length: 8 },
      (_, d) => `{"ifindex":${d + 1},"ifname":"eth${d}","flags":["UP"],"mtu":1500,"addr_info":[{"family":"inet","local":"10.${(i >> 8) & 255}.${i & 255}.${d + 1}","prefixlen":24}]}`,
    );
    parts.push(`root@h${i}:~# ip -j addr\n[${links.join(',')}]\n`);
  }
  return parts.join('');
}

describe('the time budget of the command line', () => {
  it('ends topology past its budget with one line naming the budget and a non-zero exit', async () => {
    const file = path.join(dir, 'many.txt');
    writeFileSync(file, manyHosts(4000));
    const result = await run(['topology', file], { TUNNELSCOPE_ANALYSIS_TIMEOUT_MS: '300' });
    expect(result.code === 0).toBe(false);
    expect(result.stderr).toContain('tunnelscope: error: topology took longer than 0.3 s (the budget, TUNNELSCOPE_ANALYSIS_TIMEOUT_MS) and was stopped');
    expect(result.stdout).toBe('');
  }, 120_000);

  it('leaves a command within its budget alone', async () => {
    const file = path.join(dir, 'one.txt');
    writeFileSync(file, manyHosts(1));
    const result = await run(['topology', file], { TUNNELSCOPE_ANALYSIS_TIMEOUT_MS: '60000' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('host h0');
  }, 120_000);
});
