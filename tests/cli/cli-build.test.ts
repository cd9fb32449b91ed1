/**
 * The command line built ahead of time (scripts/cli-build.mjs): npm test builds it before the suites run, it
 * answers as the TypeScript sources do, and a build older than its sources is never run. Each test works on a copy
 * of the checkout's code, so that its builds and edits leave the checkout alone.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const copy = mkdtempSync(path.join(tmpdir(), 'tunnelscope-cli-build-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

for (const entry of ['app', 'bin', 'cli', 'lib', 'scripts', 'package.json', 'tsconfig.json', 'vitest.config.ts']) {
  cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
}
symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, args, { cwd: copy, encoding: 'utf8' });
}

function help(): string {
  const result = node([path.join('bin', 'tunnelscope.mjs'), '--help']);
  expect([result.status, result.stderr]).toEqual([0, '']);
  return result.stdout;
}

function buildIfStale(): string {
  const result = node([path.join('scripts', 'cli-build.mjs'), '--if-stale']);
  expect(result.status).toBe(0);
  return result.stderr;
}

/** A source file with a new modification time and the same text, as a checkout of another branch leaves it. */
function touchSource(): void {
  const when = new Date(Date.now() - 60_000);
  utimesSync(path.join(copy, 'cli', 'args.ts'), when, when);
}

const HELP_WORDS = 'device-level network topology';

/** The built module that holds the help text. */
function builtHelpModule(): string {
  const dir = path.join(copy, 'dist', 'cli');
  const file = readdirSync(dir).find((name) => name.endsWith('.mjs') && readFileSync(path.join(dir, name), 'utf8').includes(HELP_WORDS));
  if (!file) throw new Error('no built module holds the help text');
  return path.join(dir, file);
}

describe('the command line built ahead of time', () => {
  it('is built by npm test before the suites run', () => {
    // The copy's suites are none, and its system packages are taken as installed: only the build step is at work.
    writeFileSync(path.join(copy, 'scripts', 'install-system-deps.sh'), 'exit 0\n');
    expect(existsSync(path.join(copy, 'dist'))).toBe(false);
    node([path.join('scripts', 'test.mjs'), 'tests/no-such-suite']);
    expect(existsSync(path.join(copy, 'dist', 'cli', 'main.mjs'))).toBe(true);
    expect(buildIfStale()).toBe('');
  }, 180_000);

  it('answers --help as the TypeScript sources do', () => {
    const built = help();
    touchSource();
    const sources = help();
    expect(sources).toMatch(/^tunnelscope — /);
    expect(built).toBe(sources);
  }, 120_000);

  it('is not run once a source is newer than the build, and --if-stale builds it again', () => {
    expect(buildIfStale()).toMatch(/^built the command line/);
    const built = builtHelpModule();
    writeFileSync(built, readFileSync(built, 'utf8').replace(HELP_WORDS, 'words of the build'));
    expect(help()).toContain('words of the build');
    touchSource();
    expect(help()).toContain(HELP_WORDS);
    expect(buildIfStale()).toMatch(/^built the command line/);
    expect(help()).toContain(HELP_WORDS);
    expect(buildIfStale()).toBe('');
  }, 120_000);
});
