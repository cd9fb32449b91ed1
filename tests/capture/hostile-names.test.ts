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
import { analyze } from '@/lib/analyze';
import type { Finding } from '@/lib/diagnose/types';
import { renderReport } from '@/lib/export/report';
import { renderTopologySvg } from '@/lib/export/svg';
import type { SnapshotView } from '@/lib/snapshot/types';
import { parseXml } from '../api/xml-check';
import { buildHostileHost, collectHostileHost, DEV_LONGEST, DEV_SCRIPT, DEV_SUBST, DEV_TICK, DEV_UNICODE, DEVICES, NAMESPACES, NS_QUOTES, NS_SUBST, removeHostileHost } from '../helpers/hostile-host';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'h20-hostile-'));

function canaries(): string[] {
  return fs.readdirSync(scratch).filter((f) => f.startsWith('PW'));
}

async function collectAndAnalyze(): Promise<SnapshotView> {
  const bundle = await collectHostileHost();
  const { topology, findings, rulesVersion } = analyze(bundle);
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  const meta = { id: 'hostile', title: NS_QUOTES, createdAt: bundle.createdAt, source: bundle.source, hosts: bundle.hosts.map((h) => h.name), partialHosts: [], counts, rulesVersion };
  return { meta, topology, findings };
}

/** Runs one line with sh and only recorders on PATH; returns the argv of each command it ran. */
function runRecorded(line: string): string[][] {
  const bin = path.join(scratch, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const log = path.join(scratch, 'argv.log');
  fs.writeFileSync(log, '');
  const recorder = `#!/bin/sh\nprintf '%s\\0' "\${0##*/}" "$@" >> '${log}'\nprintf '\\1' >> '${log}'\n`;
  for (const name of ['ip', 'tc', 'iptables', 'sysctl', 'kubectl', 'ping', 'touch', 'id']) fs.writeFileSync(path.join(bin, name), recorder, { mode: 0o755 });
  const result = spawnSync('/bin/sh', ['-c', line], { cwd: scratch, env: { PATH: bin, NODE_ENV: 'test' }, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return fs
    .readFileSync(log, 'utf8')
    .split('\u0001')
    .filter((r) => r !== '')
    .map((r) => r.split('\0').slice(0, -1));
}

function fixLines(findings: Finding[]): string[] {
  return findings.flatMap((f) => f.fix ?? []);
}

/**
 * Markdown with fenced blocks and code spans taken out, as CommonMark reads them (a backslash escapes the next
 * character; a span closes at the next backtick run of the same length): what a renderer could treat as HTML.
 */
function textOutsideCode(md: string): string {
  const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
  let out = '';
  for (let i = 0; i < prose.length;) {
    if (prose[i] === '\\') {
      out += prose.slice(i, i + 2);
      i += 2;
      continue;
    }
    const run = /^`+/.exec(prose.slice(i))?.[0];
    if (run === undefined) {
      out += prose[i];
      i += 1;
      continue;
    }
    const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
    close.lastIndex = i + run.length;
    const end = close.exec(prose);
    if (end === null) out += run;
    i = end === null ? i + run.length : end.index + run.length;
  }
  return out;
}

let view: SnapshotView;

beforeAll(async () => {
  buildHostileHost();
  view = await collectAndAnalyze();
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
    const lines = fixLines(view.findings);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      expect([line, spawnSync('/bin/sh', ['-n', '-c', line], { encoding: 'utf8' }).stderr]).toEqual([line, '']);
      const ran = runRecorded(line);
      if (line.startsWith('#')) expect(ran).toEqual([]);
      else expect(ran).toHaveLength(1);
      const words = ran.flat();
      for (const name of [...NAMESPACES, DEV_TICK, DEV_SUBST, DEV_LONGEST, DEV_UNICODE, DEV_SCRIPT]) {
        if (line.includes(name.replace(/'/g, `'\\''`))) expect(words).toContain(name);
      }
      expect(words.filter((w) => w === 'touch' || w === 'id')).toEqual([]);
    }
    expect(canaries()).toEqual([]);
  });

  it('brings the device up when the printed link fix is run for real as root', () => {
    const fix = fixLines(view.findings).find((l) => l.includes('ip link set') && l.endsWith(' up') && l.includes('e`id`'));
    expect(fix).toBeDefined();
    const r = spawnSync('/bin/sh', ['-c', fix ?? 'false'], { cwd: scratch, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const state = spawnSync('ip', ['-n', NS_SUBST, '-j', 'link', 'show', 'dev', DEV_TICK], { encoding: 'utf8' });
    expect(JSON.parse(state.stdout)[0].flags).toContain('UP');
    expect(canaries()).toEqual([]);
  });

  it('writes report.md with names as inert text: no raw HTML outside code, fixes in a code block verbatim', () => {
    const md = renderReport(view, { link: 'http://localhost/s/hostile' });
    expect(textOutsideCode(md)).not.toMatch(/<\s*(script|img)\b/i);
    expect(textOutsideCode(md).replace(/<https?:\/\/[^\s<>]*>/g, '')).not.toContain('<');
    for (const line of fixLines(view.findings)) expect(md).toContain(line);
  });

  it('draws graph.svg as well-formed XML without script, event handlers or links', () => {
    const svg = renderTopologySvg(view.topology, view.findings, { title: view.meta.title });
    const elements = parseXml(svg);
    expect(elements.map((e) => e.name)).not.toContain('script');
    expect(elements.map((e) => e.name)).not.toContain('foreignObject');
    for (const e of elements) expect(Object.keys(e.attributes).filter((a) => /^on|href$/i.test(a))).toEqual([]);
    expect(elements.some((e) => e.text.includes(DEV_SCRIPT))).toBe(true);
  });
});
