/**
 * Names nobody chose carefully, on real kernel devices (tests/helpers/hostile-host.ts), collected as
 * `collect --source local` does, diagnosed, and every fix command run by /bin/sh — with a recorder for each command
 * on PATH, then for real — while canary files show whether any payload ran.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotView } from '@/lib/snapshot/types';
import { canaries, expectFixesInert, expectReportInert, expectSvgInert, fixLines, viewOf } from '../helpers/hostile-checks';
import { buildHostileHost, collectHostileHost, DEV_LONGEST, DEV_SCRIPT, DEV_SUBST, DEV_TICK, DEV_UNICODE, DEVICES, NAMESPACES, NS_QUOTES, NS_SUBST, removeHostileHost } from '../helpers/hostile-host';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'h20-hostile-'));

let view: SnapshotView;

beforeAll(async () => {
  buildHostileHost();
  view = viewOf(await collectHostileHost(), NS_QUOTES);
}, 120_000);

afterAll(() => {
  removeHostileHost();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('hostile names on real devices', () => {
  it('collects every namespace and device under its own name', () => {
    const names = view.topology.nodes.map((n) => n.label);
    for (const dev of DEVICES) expect(names).toContain(dev);
    for (const ns of NAMESPACES) expect(view.topology.nodes.some((n) => n.netns === ns)).toBe(true);
  });

  it('diagnoses the faults and prints fixes that quote the names', () => {
    const rules = new Set(view.findings.map((f) => f.rule));
    expect(rules).toContain('link-down-or-no-carrier');
    expect(rules).toContain('veth-mtu-mismatch');
    expect(rules).toContain('duplicate-ip-address');
    const lines = fixLines(view.findings);
    expect(lines).toContain("ip netns exec 'h20-ts$(touch${IFS}PWNED1)x' ip link set 'e`id`' up");
    expect(lines).toContain(`ip netns exec 'h20-it'\\''s "q" <script>alert(1)<script> ünï🔥' ip link set dev 'h;$(>PW4)|&x<yz' mtu 1400`);
  });

  it('gives every fix line to sh as exactly the words meant, running no payload', () => {
    expectFixesInert(view.findings, [...NAMESPACES, DEV_TICK, DEV_SUBST, DEV_LONGEST, DEV_UNICODE, DEV_SCRIPT], scratch);
  });

  it('brings the device up when the printed link fix is run for real as root', () => {
    const fix = fixLines(view.findings).find((l) => l.includes('ip link set') && l.endsWith(' up') && l.includes('e`id`'));
    expect(fix).toBeDefined();
    const r = spawnSync('/bin/sh', ['-c', fix ?? 'false'], { cwd: scratch, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const state = spawnSync('ip', ['-n', NS_SUBST, '-j', 'link', 'show', 'dev', DEV_TICK], { encoding: 'utf8' });
    expect(JSON.parse(state.stdout)[0].flags).toContain('UP');
    expect(canaries(scratch)).toEqual([]);
  });

  it('writes report.md with names as inert text: no raw HTML outside code, fixes in a code block verbatim', () => {
    expectReportInert(view);
  });

  it('draws graph.svg as well-formed XML without script, event handlers or links', () => {
    expectSvgInert(view, DEV_SCRIPT);
  });
});
