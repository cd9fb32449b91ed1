import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles, sniffFile } from '@/lib/capture/import';
import { LocalRunner, PrefixRunner, statusFromExit, type RunResult, type Runner } from '@/lib/capture/collect/runner';
import { collectWithScript } from '@/lib/capture/collect/script-host';
import { COLLECTOR_SCRIPT, collectHostsWithScript } from '../helpers/collect-script';
import { until } from '../helpers/until';

class FakeRunner implements Runner {
  readonly calls: string[][] = [];
  constructor(private readonly answer: (argv: string[]) => Partial<RunResult>) {}
  async run(argv: string[]): Promise<RunResult> {
    this.calls.push(argv);
    return { stdout: '', stderr: '', exitCode: 0, durationMs: 1, status: 'ok', ...this.answer(argv) };
  }
}

/** A stand-in conntrack first on PATH that says where it runs and then hangs, as a stuck tool does. */
function hangingTool(dir: string): Runner {
  writeFileSync(path.join(dir, 'conntrack'), `#!/bin/sh\necho $$ > '${dir}/pid.tmp' && mv '${dir}/pid.tmp' '${dir}/pid'\nexec sleep 120\n`, { mode: 0o755 });
  return new PrefixRunner(['env', `PATH=${dir}:${process.env.PATH ?? ''}`], new LocalRunner());
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('the collector script through a runner, on this machine', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'tscol-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('stops a host past its time with everything the script started, keeps what it printed, and leaves the other hosts whole', async () => {
    const dir = mkdtempSync(path.join(scratch, 'hang-'));
    const bundle = await collectHostsWithScript([
      { name: 'stuck', role: 'worker', runner: hangingTool(dir), scriptArgs: ['--no-netns'], timeoutMs: 8_000 },
      { name: 'fine', role: 'worker', runner: new LocalRunner(), scriptArgs: ['--no-netns'] },
    ]);
    const [stuck, fine] = bundle.hosts;
    expect([stuck.name, stuck.status, stuck.error]).toEqual(['stuck', 'partial', 'the collector did not finish within 8 s']);
    expect(stuck.namespaces[0].commands.find((c) => c.id === 'hostname')).toMatchObject({ status: 'ok', stdout: `${os.hostname()}\n` });
    expect([fine.name, fine.status]).toEqual(['fine', 'complete']);
    const pid = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
    await until(() => gone(pid));
  });

  it('stops the script and the tool it runs on cancel, keeping what it printed', async () => {
    const dir = mkdtempSync(path.join(scratch, 'cancel-'));
    const control = new AbortController();
    const pidFile = path.join(dir, 'pid');
    const collecting = collectWithScript(hangingTool(dir), COLLECTOR_SCRIPT, { name: 'h', scriptArgs: ['--no-netns'], signal: control.signal });
    await until(() => existsSync(pidFile));
    control.abort();
    const host = await collecting;
    expect([host.status, host.error]).toEqual(['partial', 'cancelled']);
    expect(host.namespaces[0].commands.find((c) => c.id === 'hostname')?.status).toBe('ok');
    await until(() => gone(Number(readFileSync(pidFile, 'utf8'))));
  });

  it('marks the host failed, without throwing, when the runner cannot reach it', async () => {
    const broken: Runner = { run: () => Promise.reject(new Error('connection refused')) };
    const host = await collectWithScript(broken, COLLECTOR_SCRIPT, { name: 'far', role: 'podvm' });
    expect([host.name, host.role, host.status, host.error]).toEqual(['far', 'podvm', 'failed', 'connection refused']);
  });

  it('marks the host failed with what the shell said when the script cannot start', async () => {
    const host = await collectWithScript(new LocalRunner(), 'exit 3', { name: 'h' });
    expect([host.status, host.error]).toEqual(['failed', 'the collector exited with code 3']);
    const noShell = await collectWithScript(new PrefixRunner(['tscol-no-such-entry'], new LocalRunner()), COLLECTOR_SCRIPT, { name: 'h' });
    expect([noShell.status, noShell.error]).toEqual(['failed', 'tscol-no-such-entry: command not found']);
  });
});

describe('runner status detection', () => {
  it('recognises a missing tool reported by ip netns exec, nsenter and sh', () => {
    expect(statusFromExit(1, 'exec of "ovs-vsctl" failed: No such file or directory\n')).toBe('missing-tool');
    expect(statusFromExit(127, 'nsenter: failed to execute bpftool: No such file or directory\n')).toBe('missing-tool');
    expect(statusFromExit(127, 'sh: 1: conntrack: not found\n')).toBe('missing-tool');
    expect(statusFromExit(1, 'cat: /run/peerpod/podnetwork.json: No such file or directory\n')).toBe('error');
  });

  it('PrefixRunner prepends its argv and reclassifies wrapped missing tools', async () => {
    const inner = new FakeRunner(() => ({ exitCode: 127, status: 'error', stderr: 'nsenter: failed to execute tc: No such file or directory' }));
    const result = await new PrefixRunner(['nsenter', '--net=/run/netns/x', '--'], inner).run(['tc', '-j', 'qdisc', 'show']);
    expect(inner.calls[0]).toEqual(['nsenter', '--net=/run/netns/x', '--', 'tc', '-j', 'qdisc', 'show']);
    expect(result.status).toBe('missing-tool');
  });
});

describe('importFiles', () => {
  it('sniffs bundles, collector output and transcripts', () => {
    expect(sniffFile('{"format":"tunnelscope.capture"}')).toBe('bundle');
    expect(sniffFile('#tunnelscope-collect format=1 host=a\n')).toBe('collector');
    expect(sniffFile('$ ip a\n')).toBe('transcript');
  });

  it('merges files of one host and names a prompt-less host after its file', () => {
    const { bundle, problems } = importFiles([
      { name: 'worker-3.txt', content: '$ ip -j neigh\n[]\n' },
      { name: 'more.txt', content: '[root@worker-3 ~]# ip r\ndefault via 10.0.0.1 dev eth0\n' },
    ]);
    expect(problems).toEqual([]);
    expect(bundle.hosts.map((h) => h.name)).toEqual(['worker-3']);
    expect(bundle.hosts[0].namespaces[0].commands.map((c) => c.id)).toEqual(['ip-neigh', 'ip-route']);
  });

  it('turns a broken bundle into a problem naming the file, never a throw', () => {
    const { bundle, problems } = importFiles([{ name: 'old.json', content: '{"format":"tunnelscope.capture","version":0}' }]);
    expect(bundle.hosts).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ file: 'old.json', message: expect.stringContaining('version 0') })]);
  });
});
