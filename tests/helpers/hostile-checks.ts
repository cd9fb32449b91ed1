/**
 * What a snapshot of hostile names owes whoever reads it, whatever path collected it: each fix line is read by
 * /bin/sh as exactly the words meant and runs nothing else (checked with a recorder on PATH for every command a line
 * may name), report.md holds no raw HTML outside code, and graph.svg is well-formed XML without script or handlers.
 * A payload that ran would leave a PW… file where it ran.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { analyze } from '@/lib/analyze';
import type { CaptureBundle } from '@/lib/capture/types';
import type { Finding } from '@/lib/diagnose/types';
import { renderReport } from '@/lib/export/report';
import { renderTopologySvg } from '@/lib/export/svg';
import type { SnapshotView } from '@/lib/snapshot/types';
import { parseXml } from '../api/xml-check';

/** A bundle analysed and put together as the store serves it. */
export function viewOf(bundle: CaptureBundle, title: string): SnapshotView {
  const { topology, findings, rulesVersion } = analyze(bundle);
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  const meta = { id: 'hostile', title, createdAt: bundle.createdAt, source: bundle.source, hosts: bundle.hosts.map((h) => h.name), partialHosts: [], counts, rulesVersion };
  return { meta, topology, findings };
}

/** Canary files a payload left in `dir`. */
export function canaries(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('PW'));
}

export function fixLines(findings: readonly Finding[]): string[] {
  return findings.flatMap((f) => f.fix ?? []);
}

/** Runs one line with sh in `dir` and only recorders on PATH; returns the argv of each command it ran. */
export function runRecorded(line: string, dir: string): string[][] {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const log = path.join(dir, 'argv.log');
  fs.writeFileSync(log, '');
  const recorder = `#!/bin/sh\nprintf '%s\\0' "\${0##*/}" "$@" >> '${log}'\nprintf '\\1' >> '${log}'\n`;
  for (const name of ['ip', 'tc', 'iptables', 'tcpdump', 'sysctl', 'kubectl', 'ping', 'touch', 'id']) fs.writeFileSync(path.join(bin, name), recorder, { mode: 0o755 });
  const result = spawnSync('/bin/sh', ['-c', line], { cwd: dir, env: { PATH: bin, NODE_ENV: 'test' }, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return fs
    .readFileSync(log, 'utf8')
    .split('\u0001')
    .filter((r) => r !== '')
    .map((r) => r.split('\0').slice(0, -1));
}

/**
 * Every fix line passes `sh -n`, runs one command (a comment or an echo none), hands each hostile name it quotes to that command
 * as one whole word, and runs neither `touch` nor `id`; no canary appears in `dir`.
 */
export function expectFixesInert(findings: readonly Finding[], names: readonly string[], dir: string): void {
  const lines = fixLines(findings);
  expect(lines.length).toBeGreaterThan(2);
  for (const line of lines) {
    expect([line, spawnSync('/bin/sh', ['-n', '-c', line], { encoding: 'utf8' }).stderr]).toEqual([line, '']);
    const ran = runRecorded(line, dir);
    // A comment runs nothing, nor does a line of the shell's own echo (a setting written to a file).
    if (line.startsWith('#') || line.startsWith('echo ')) expect(ran).toEqual([]);
    else expect(ran).toHaveLength(1);
    const words = ran.flat();
    for (const name of names) {
      if (ran.length > 0 && line.includes(name.replace(/'/g, `'\\''`))) expect(words, line).toContain(name);
    }
    expect(words.filter((w) => w === 'touch' || w === 'id')).toEqual([]);
  }
  expect(canaries(dir)).toEqual([]);
}

/**
 * Markdown with fenced blocks and code spans taken out, as CommonMark reads them (a backslash escapes the next
 * character; a span closes at the next backtick run of the same length): what a renderer could treat as HTML.
 */
export function textOutsideCode(md: string): string {
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

/** report.md: no raw HTML outside code, every fix line in a code block verbatim. */
export function expectReportInert(view: SnapshotView): void {
  const md = renderReport(view, { link: 'http://localhost/s/hostile' });
  expect(textOutsideCode(md)).not.toMatch(/<\s*(script|img)\b/i);
  expect(textOutsideCode(md).replace(/<https?:\/\/[^\s<>]*>/g, '')).not.toContain('<');
  for (const line of fixLines(view.findings)) expect(md).toContain(line);
}

/** graph.svg: well-formed XML without script, foreignObject, event handlers or links, `shown` among its texts. */
export function expectSvgInert(view: SnapshotView, shown: string): void {
  const svg = renderTopologySvg(view.topology, view.findings, { title: view.meta.title });
  const elements = parseXml(svg);
  expect(elements.map((e) => e.name)).not.toContain('script');
  expect(elements.map((e) => e.name)).not.toContain('foreignObject');
  for (const e of elements) expect(Object.keys(e.attributes).filter((a) => /^on|href$/i.test(a))).toEqual([]);
  expect(elements.some((e) => e.text.includes(shown))).toBe(true);
}
