/**
 * A host nobody named carefully, on real kernel devices (as root): network namespaces and veth ends whose names hold
 * shell metacharacters, quotes, `$()`, backticks, `<script>`, unicode and the 15 bytes IFNAMSIZ allows, built with
 * `ip` under the prefix h20- and collected as `collect --source local` does. A payload that ran would leave a PW…
 * file in the directory it ran in.
 */
import { spawnSync } from 'node:child_process';
import { LocalRunner } from '@/lib/capture/collect/runner';
import type { CaptureBundle } from '@/lib/capture/types';
import { collectHostsWithScript } from './collect-script';

export const PREFIX = 'h20-';
export const NS_SUBST = `${PREFIX}ts$(touch\${IFS}PWNED1)x`;
export const NS_QUOTES = `${PREFIX}it's "q" <script>alert(1)<script> ünï🔥`;
export const NS_TICKS = `${PREFIX}\`touch PWNED2\`;|&<img src=x onerror=alert(1)>`;
export const NAMESPACES = [NS_SUBST, NS_QUOTES, NS_TICKS];

/** Device names: at most 15 bytes (DEV_LONGEST has 15), no slash, colon or white space (the kernel's dev_valid_name). */
export const DEV_TICK = 'e`id`';
export const DEV_SUBST = 'h2$(>PWNED3)';
export const DEV_LONGEST = 'h;$(>PW4)|&x<yz';
export const DEV_UNICODE = 'h2ü🔥"\'';
export const DEV_SCRIPT = '<script>h2';
export const DEV_PLAIN = 'h20plain';
export const DEVICES = [DEV_TICK, DEV_SUBST, DEV_LONGEST, DEV_UNICODE, DEV_SCRIPT, DEV_PLAIN];

function ip(...argv: string[]): void {
  const r = spawnSync('ip', argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${argv.join(' ')}: ${r.stderr}`);
}

export function removeHostileHost(): void {
  for (const ns of NAMESPACES) spawnSync('ip', ['netns', 'del', ns]);
}

/**
 * The kernel state, as the `ip` argv that builds it: a veth pair across NS_SUBST and NS_QUOTES whose NS_SUBST end is
 * down (link down, fix: set it up), a veth pair across NS_QUOTES and NS_TICKS with MTUs 1500 and 1400 (fix: lower
 * the MTU), and one address on two devices (fix: delete it from one).
 */
export const HOSTILE_STEPS: readonly (readonly string[])[] = [
  ...NAMESPACES.map((ns) => ['netns', 'add', ns]),
  ['link', 'add', DEV_TICK, 'netns', NS_SUBST, 'type', 'veth', 'peer', 'name', DEV_SUBST, 'netns', NS_QUOTES],
  ['-n', NS_QUOTES, 'link', 'set', DEV_SUBST, 'up'],
  ['-n', NS_SUBST, 'addr', 'add', '10.250.20.1/24', 'dev', DEV_TICK],
  ['link', 'add', DEV_LONGEST, 'netns', NS_QUOTES, 'mtu', '1500', 'type', 'veth', 'peer', 'name', DEV_UNICODE, 'netns', NS_TICKS, 'mtu', '1400'],
  ['-n', NS_QUOTES, 'link', 'set', DEV_LONGEST, 'up'],
  ['-n', NS_TICKS, 'link', 'set', DEV_UNICODE, 'up'],
  ['link', 'add', DEV_SCRIPT, 'netns', NS_TICKS, 'type', 'veth', 'peer', 'name', DEV_PLAIN, 'netns', NS_SUBST],
  ['-n', NS_TICKS, 'link', 'set', DEV_SCRIPT, 'up'],
  ['-n', NS_SUBST, 'link', 'set', DEV_PLAIN, 'up'],
  ['-n', NS_TICKS, 'addr', 'add', '10.250.21.7/24', 'dev', DEV_SCRIPT],
  ['-n', NS_SUBST, 'addr', 'add', '10.250.21.7/24', 'dev', DEV_PLAIN],
];

/** HOSTILE_STEPS on this machine (as root). */
export function buildHostileHost(): void {
  removeHostileHost();
  for (const step of HOSTILE_STEPS) ip(...step);
}

/** This machine's root namespace and the three hostile ones, as `collect --source local` collects them. */
export function collectHostileHost(): Promise<CaptureBundle> {
  const scriptArgs = NAMESPACES.flatMap((ns) => ['--netns', ns]);
  return collectHostsWithScript([{ name: `${PREFIX}host<script>`, role: 'unknown', runner: new LocalRunner(), scriptArgs }], { source: { kind: 'local' } });
}
