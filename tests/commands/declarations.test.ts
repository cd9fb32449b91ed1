import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '@/lib/capture/catalog';
import { STATE_FIELDS } from '@/lib/parse/state';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import { defaultHostStatus } from '@/lib/capture/collect/host-status';
import type { CommandRecord, NamespaceCapture } from '@/lib/capture/types';
import { parseHost } from '@/lib/parse';

function record(id: CommandRecord['id'], argv: readonly string[], stdout: string, status: CommandRecord['status'] = 'ok'): CommandRecord {
  return { id, argv: [...argv], stdout, stderr: status === 'ok' ? '' : 'Error: unknown', exitCode: status === 'ok' ? 0 : 1, durationMs: 1, status, format: 'json' };
}

describe('command declarations', () => {
  it('name each command once', () => {
    const ids = CATALOG.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('run the tool they name, and fill only state fields that exist', () => {
    for (const command of CATALOG) {
      expect(command.argv[0], command.id).toBe(command.tool);
      for (const field of command.fills ?? []) expect(Object.keys(STATE_FIELDS), command.id).toContain(field);
    }
  });

  it('hold only declared listings whose state they fill, and narrow namespaces only where a command runs per namespace', () => {
    for (const command of CATALOG) {
      for (const held of command.holds ?? []) {
        const listing = CATALOG.find((c) => c.id === held);
        expect(listing, `${command.id} holds ${held}`).toBeDefined();
        expect(command.fills, `${command.id} holds ${held}`).toEqual(expect.arrayContaining([...(listing?.fills ?? [])]));
      }
      if (command.namespaces !== undefined) expect(['netns', 'device'], command.id).toContain(command.scope);
    }
  });

  it('have parsers that fill only the fields their declaration names', () => {
    for (const command of CATALOG) {
      const parse = command.parse;
      if (parse === undefined) continue;
      for (const stdout of ['[]', '{}', 'garbage\n']) {
        const state = parse(record(command.id, command.argv, stdout)).state;
        expect(command.fills, `${command.id} on ${JSON.stringify(stdout)}`).toEqual(expect.arrayContaining(Object.keys(state)));
      }
    }
  });
});

describe('a capture made before ip rule was collected', () => {
  const bundlePath = path.join(__dirname, '..', '..', 'public', 'samples', 'peerpod-incident.bundle.json');

  it('imports and parses with no problem and no host made partial by the missing command', () => {
    const parsed = parseBundle(readFileSync(bundlePath, 'utf8'));
    if (!parsed.ok) throw new Error(parsed.error);
    const { bundle } = parsed;
    expect(bundle.hosts.flatMap((h) => h.namespaces.flatMap((ns) => ns.commands)).some((c) => c.id === 'ip-rule')).toBe(false);
    for (const host of bundle.hosts) {
      const state = parseHost(host);
      expect(state.problems.filter((p) => /rule/.test(p.command))).toEqual([]);
      expect(state.namespaces.every((ns) => ns.policyRules === undefined && !ns.collected?.includes('ip-rule'))).toBe(true);
    }
  });

  it('keeps a host complete when ip rule fails, as for the other optional commands', () => {
    const ns: NamespaceCapture = {
      netns: null,
      commands: [record('ip-link', ['ip', '-j', 'link', 'show'], '[]'), record('ip-rule', ['ip', '-j', 'rule', 'show'], '', 'error')],
    };
    expect(defaultHostStatus([ns]).status).toBe('complete');
  });
});

describe('iptables-save of every table in a pod namespace', () => {
  const save = (status: CommandRecord['status']): CommandRecord => ({
    ...record('iptables-tables', ['iptables-save'], status === 'ok' ? '*nat\n-A PREROUTING -j RETURN\nCOMMIT\n*filter\n-A INPUT -j DROP\nCOMMIT\n' : '', status),
    format: 'text',
    ...(status === 'missing-tool' ? { stderr: 'iptables-save: command not found', exitCode: 127 } : {}),
  });
  const root: NamespaceCapture = { netns: null, commands: [record('ip-link', ['ip', '-j', 'link', 'show'], '[]')] };

  it('counts as the per-table listings it holds, so that an absence from them is judged as from their own records', () => {
    const host = parseHost({ name: 'n', role: 'worker', collectedAt: new Date(0).toISOString(), status: 'complete', namespaces: [root, { netns: 'pod', commands: [save('ok')] }] });
    const pod = host.namespaces.find((ns) => ns.netns === 'pod');
    expect(pod?.collected).toEqual(['iptables-filter', 'iptables-raw', 'iptables-tables']);
    expect(pod?.firewall.map((r) => [r.table, r.chain, r.target?.name])).toEqual([
      ['nat', 'PREROUTING', 'RETURN'],
      ['filter', 'INPUT', 'DROP'],
    ]);
    const failed = parseHost({ name: 'n', role: 'worker', collectedAt: new Date(0).toISOString(), status: 'complete', namespaces: [root, { netns: 'pod', commands: [save('error')] }] });
    expect(failed.namespaces.find((ns) => ns.netns === 'pod')?.collected).toEqual([]);
  });

  it('keeps the host complete where iptables-save is missing or fails, as the per-table listings do', () => {
    for (const status of ['missing-tool', 'error'] as const) expect(defaultHostStatus([root, { netns: 'pod', commands: [save(status)] }]).status, status).toBe('complete');
  });
});
