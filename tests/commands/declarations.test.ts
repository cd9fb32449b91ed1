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
