/**
 * The same lab state read two ways — the collector's JSON commands, and a terminal transcript of the plain-text
 * commands an engineer would type and paste — must give the same findings on the same elements.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { labBreak, labDown, labStatus, labUp, runOnHost, type LabHost } from '@/lib/lab';
import { captureFromSource } from '@/lib/sources';
import { importFiles } from '@/lib/capture/import';
import { analyze } from '@/lib/analyze';
import type { Finding } from '@/lib/diagnose/types';

const NS_TEXT_COMMANDS = [
  ['ip', '-d', 'link', 'show'],
  ['ip', 'addr', 'show'],
  ['ip', 'route', 'show', 'table', 'all'],
  ['ip', 'neigh', 'show'],
  ['ip', 'netns', 'list-id'],
  ['tc', 'qdisc', 'show'],
  ['bridge', 'fdb', 'show'],
  ['iptables-save'],
  ['sysctl', 'net.ipv4.ip_forward'],
];

/** OVS/OVN have no plain-text form with external ids: engineers paste their JSON lists. */
const HOST_COMMANDS = [
  ['ovs-vsctl', '-f', 'json', 'list', 'Open_vSwitch'],
  ['ovs-vsctl', '-f', 'json', 'list', 'Bridge'],
  ['ovs-vsctl', '-f', 'json', 'list', 'Port'],
  ['ovs-vsctl', '-f', 'json', 'list', 'Interface'],
  ['ovn-nbctl', '-f', 'json', 'list', 'Logical_Switch_Port'],
  ['cat', '/run/peerpod/podnetwork.json'],
];

async function deviceNames(host: LabHost, netns: string | undefined): Promise<string[]> {
  const { stdout } = await runOnHost(host, ['ip', '-o', 'link', 'show'], { netns });
  return stdout
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

/** A scrollback as a terminal shows it; one namespace is reached through a shell variable, as people do. */
async function transcriptOf(host: LabHost): Promise<string> {
  const prompt = `[root@${host.name} ~]# `;
  const out: string[] = [];
  const type = async (argv: string[], netns?: string, shown?: string) => {
    const { stdout, exitCode } = await runOnHost(host, argv, { netns });
    if (exitCode !== 0) return;
    out.push(`${prompt}${shown ?? (netns ? `ip netns exec ${netns} ` : '') + argv.join(' ')}`, stdout.replace(/\n$/, ''));
  };
  for (const argv of HOST_COMMANDS) await type(argv);
  for (const netns of [undefined, ...host.namespaces]) {
    let prefix = netns ? `ip netns exec ${netns} ` : '';
    if (netns && netns.length > 12) {
      out.push(`${prompt}NS=${netns}`);
      prefix = 'ip netns exec $NS ';
    }
    for (const argv of NS_TEXT_COMMANDS) await type(argv, netns, `${prefix}${argv.join(' ')}`);
    for (const dev of await deviceNames(host, netns)) {
      const argv = ['tc', 'filter', 'show', 'dev', dev, 'ingress'];
      await type(argv, netns, `${prefix}${argv.join(' ')}`);
    }
  }
  return `${out.join('\n')}\n${prompt}`;
}

const key = (f: Finding) => `${f.severity} ${f.rule} ${[...f.elements].sort().join(',')}`;

async function bothWays(): Promise<{ json: string[]; text: string[] }> {
  const status = await labStatus({ probe: false });
  if (!status) throw new Error('the lab is not up');
  const json = analyze(await captureFromSource('lab'))
    .findings.map(key)
    .sort();
  const files = await Promise.all(status.hosts.map(async (h) => ({ name: `${h.name}.txt`, content: await transcriptOf(h) })));
  const { bundle, problems } = importFiles(files);
  expect(problems.filter((p) => !/unknown|not recognised/i.test(p.message))).toEqual([]);
  const text = analyze(bundle).findings.map(key).sort();
  return { json, text };
}

describe('JSON capture and pasted text transcript', () => {
  beforeAll(async () => {
    await labUp({ scenario: 'default' });
    await labStatus({ probe: true });
  }, 120_000);

  afterAll(async () => {
    await labDown();
  });

  it('give the same findings for the peer-pod MAC mismatch', async () => {
    const { json, text } = await bothWays();
    expect(json.some((k) => k.includes('peerpod-podvm-mac-mismatch'))).toBe(true);
    expect(text).toEqual(json);
  });

  it('give the same findings when a tc redirect is missing as well', async () => {
    await labBreak('tc-redirect-missing');
    const { json, text } = await bothWays();
    expect(json.some((k) => k.includes('peerpod-tc-redirect-missing'))).toBe(true);
    expect(text).toEqual(json);
  });
});
