import { describe, expect, it } from 'vitest';
import { collectHost, isSafeNetnsName } from '@/lib/capture/collect/collect';
import { importFiles, sniffFile } from '@/lib/capture/import';
import { PrefixRunner, statusFromExit, type RunResult, type Runner } from '@/lib/capture/collect/runner';

class FakeRunner implements Runner {
  readonly calls: string[][] = [];
  constructor(private readonly answer: (argv: string[]) => Partial<RunResult>) {}
  async run(argv: string[]): Promise<RunResult> {
    this.calls.push(argv);
    return { stdout: '', stderr: '', exitCode: 0, durationMs: 1, status: 'ok', ...this.answer(argv) };
  }
}

describe('collectHost with a scripted runner', () => {
  it('refuses namespace names that ip could read as an option or a path', () => {
    expect(['', '-all', 'a/b', '../x'].map(isSafeNetnsName)).toEqual([false, false, false, false]);
    expect(['podns', 'c16c7a01-5e8d', 'a b'].map(isSafeNetnsName)).toEqual([true, true, true]);
  });

  it('enters only namespaces with safe names, passing each name as one argv element', async () => {
    const runner = new FakeRunner((argv) => (argv.join(' ') === 'ip -j netns list' ? { stdout: JSON.stringify([{ name: '-x' }, { name: 'a/b' }, { name: '' }, { name: 'ok ns;x' }]) } : {}));
    const host = await collectHost(runner, { name: 'h' });
    expect(host.namespaces.map((n) => n.netns)).toEqual([null, 'ok ns;x']);
    const entered = runner.calls.filter((c) => c[0] === 'nsenter').map((c) => c[1]);
    expect(new Set(entered)).toEqual(new Set(['--net=/run/netns/ok ns;x']));
    expect(runner.calls.filter((c) => c[0] === 'ip' && c[1] === '-n').every((c) => c[2] === 'ok ns;x')).toBe(true);
  });

  it('enters named namespaces by ip netns exec once the host turns out to have no nsenter', async () => {
    const runner = new FakeRunner((argv) => {
      if (argv.join(' ') === 'ip -j netns list') return { stdout: JSON.stringify([{ name: 'pod-1' }, { name: 'pod-2' }]) };
      if (argv[0] === 'nsenter') return { stdout: '', stderr: 'nsenter: command not found', exitCode: null, status: 'missing-tool' };
      return { stdout: 'ran\n' };
    });
    const host = await collectHost(runner, { name: 'h', concurrency: 1 });
    const iptables = host.namespaces.flatMap((n) => n.commands.filter((c) => c.id === 'iptables-raw').map((c) => `${n.netns} ${c.status} ${c.stdout.trim()}`));
    expect(iptables).toEqual(['null ok ran', 'pod-1 ok ran', 'pod-2 ok ran']);
    // The first tries tell; the rest of the host goes straight to ip netns exec.
    expect(runner.calls.filter((c) => c[0] === 'nsenter').length).toBeLessThanOrEqual(2);
    expect(runner.calls.filter((c) => c[0] === 'nsenter' && c[1].endsWith('/pod-2'))).toEqual([]);
    expect(runner.calls.filter((c) => c[1] === 'netns' && c[2] === 'exec' && c[3] === 'pod-2').length).toBeGreaterThan(2);
  });

  it('keeps at most `concurrency` commands in flight across all namespaces of a host', async () => {
    let inFlight = 0;
    let peak = 0;
    const names = Array.from({ length: 12 }, (_, i) => ({ name: `pod-${i}` }));
    const runner: Runner = {
      run: async (argv) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        // Yield a few turns so that commands started together overlap.
        for (let i = 0; i < 3; i++) await Promise.resolve();
        inFlight--;
        return { stdout: argv.join(' ') === 'ip -j netns list' ? JSON.stringify(names) : '', stderr: '', exitCode: 0, durationMs: 1, status: 'ok' };
      },
    };
    const host = await collectHost(runner, { name: 'h', concurrency: 3 });
    expect(host.namespaces).toHaveLength(13);
    expect(host.namespaces.map((n) => n.netns)).toEqual([null, ...names.map((n) => n.name)]);
    expect(peak).toBe(3);
  });

  it('reads a sysctl listing from /proc/sys in one process inside the namespace, recorded as the declared command', async () => {
    const runner = new FakeRunner((argv) => (argv.join(' ') === 'ip -j netns list' ? { stdout: JSON.stringify([{ name: 'pod-1' }]) } : {}));
    const host = await collectHost(runner, { name: 'h' });
    const record = host.namespaces[1].commands.find((c) => c.id === 'sysctl');
    expect(record?.argv.slice(0, 2)).toEqual(['sysctl', '-a']);
    const call = runner.calls.find((c) => c[0] === 'nsenter' && c[3] === 'sh');
    expect(call?.slice(0, 5)).toEqual(['nsenter', '--net=/run/netns/pod-1', '--', 'sh', '-c']);
    expect(call?.slice(6)).toEqual(['sh', 'net/ipv4/conf/*/rp_filter', 'net/ipv4/ip_forward']);
  });

  it('reads the root namespace from /proc and /sys only when ip is missing', async () => {
    const fallbacks = ['sys-class-net', 'proc-net-addr', 'proc-net-route', 'proc-net-ipv6-route', 'proc-net-arp'];
    const without = await collectHost(new FakeRunner((argv) => (argv[0] === 'ip' ? { status: 'missing-tool', exitCode: null } : {})), { name: 'h' });
    expect(without.namespaces[0].commands.map((c) => c.id)).toEqual(expect.arrayContaining(fallbacks));
    const withIp = await collectHost(new FakeRunner(() => ({})), { name: 'h' });
    expect(withIp.namespaces[0].commands.filter((c) => fallbacks.includes(c.id))).toEqual([]);
  });

  it('takes the host name from hostname output when none is given', async () => {
    const host = await collectHost(new FakeRunner((argv) => (argv[0] === 'hostname' ? { stdout: 'node-7\n' } : {})));
    expect(host.name).toBe('node-7');
  });

  it('marks the host failed, without throwing, when the runner rejects every command', async () => {
    const broken: Runner = { run: () => Promise.reject(new Error('connection refused')) };
    const host = await collectHost(broken, { name: 'far' });
    expect(host.status).toBe('failed');
    expect(host.error).toMatch(/connection refused/);
  });

  it('runs tc filter show only for the hooks that the namespace qdiscs can hold', async () => {
    const runner = new FakeRunner((argv) => {
      const line = argv.join(' ');
      if (line === 'ip -j -d -s -s link show') return { stdout: '[{"ifindex":1,"ifname":"lo"},{"ifindex":2,"ifname":"eth0"},{"ifindex":3,"ifname":"vxlan1"}]' };
      if (line === 'tc -j qdisc show')
        return {
          stdout: '[{"kind":"ingress","handle":"ffff:","dev":"eth0","parent":"ffff:fff1"},{"kind":"clsact","handle":"ffff:","dev":"vxlan1","parent":"ffff:fff1"}]',
        };
      return {};
    });
    await collectHost(runner, { name: 'h' });
    const filters = runner.calls.filter((c) => c[0] === 'tc' && c[2] === 'filter').map((c) => c.slice(4).join(' '));
    expect(filters).toEqual(['dev eth0 ingress', 'dev vxlan1 ingress', 'dev vxlan1 egress']);
  });

  it('runs tc filter show for every device and hook when the qdiscs could not be listed', async () => {
    const runner = new FakeRunner((argv) => {
      const line = argv.join(' ');
      if (line === 'ip -j -d -s -s link show') return { stdout: '[{"ifindex":1,"ifname":"lo"},{"ifindex":2,"ifname":"eth0"}]' };
      if (line === 'tc -j qdisc show') return { stdout: '', stderr: 'RTNETLINK answers: Operation not permitted', exitCode: 2, status: 'error' };
      return {};
    });
    await collectHost(runner, { name: 'h' });
    const filters = runner.calls.filter((c) => c[0] === 'tc' && c[2] === 'filter').map((c) => c.slice(4).join(' '));
    expect(filters).toEqual(['dev lo ingress', 'dev lo egress', 'dev eth0 ingress', 'dev eth0 egress']);
  });

  it('records commands that would start after the host budget as timeouts without running them', async () => {
    const slow = new FakeRunner(() => ({}));
    const runner: Runner = {
      run: async (argv) => {
        await new Promise((r) => setTimeout(r, 30));
        return slow.run(argv);
      },
    };
    const host = await collectHost(runner, { name: 'h', hostTimeoutMs: 50, concurrency: 1 });
    const statuses = host.namespaces.flatMap((n) => n.commands).map((c) => c.status);
    expect(statuses).toContain('timeout');
    expect(host.status).toBe('partial');
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
