/**
 * Start-up: the command line as users run it — bin/tunnelscope.mjs executed through its shebang, from the build
 * that `npm run build` makes (built here first when missing or older than the sources) — next to `node -e 0`, the
 * least any Node command costs on this machine. A one-host paste (a real transcript from a flannel issue) is
 * imported and diagnosed both as one command and as the two that write a bundle and read it back. Each figure is
 * the median of BENCH_STARTUP_RUNS runs (default 11), the commands taking turns so that a busy moment of the
 * machine falls on all of them alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 11);
const CLI = path.resolve('bin', 'tunnelscope.mjs');
const PASTE = path.join('tests', 'fixtures', 'pastes', 'flannel-ip-link-addr.txt');
/** The issue's targets for a start, in seconds. */
const TARGETS = { help: 0.3, paste: 1 };

interface Case {
  label: string;
  /** Commands run one after the other; the figure is their sum. */
  commands: string[][];
}

function seconds(command: string[]): number {
  const start = performance.now();
  const result = spawnSync(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`start-up: ${command.join(' ')} failed (${result.signal ?? `exit ${result.status}`}): ${result.stderr.trim()}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function buildCli(): void {
  const result = spawnSync(process.execPath, [path.join('scripts', 'cli-build.mjs'), '--if-stale'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('start-up: building the command line failed');
}

export function startupBench(): void {
  buildCli();
  const dir = mkdtempSync(path.join(tmpdir(), 'tunnelscope-startup-'));
  const bundle = path.join(dir, 'paste.bundle.json');
  const cases: Case[] = [
    { label: 'node -e 0', commands: [[process.execPath, '-e', '0']] },
    { label: 'tunnelscope --help', commands: [[CLI, '--help']] },
    { label: 'diagnose PASTE', commands: [[CLI, 'diagnose', PASTE]] },
    {
      label: 'import PASTE + diagnose',
      commands: [
        [CLI, 'import', PASTE, '-o', bundle],
        [CLI, 'diagnose', bundle],
      ],
    },
  ];
  const runs = cases.map((): number[] => []);
  try {
    for (let run = 0; run < RUNS; run++) {
      cases.forEach((c, i) => runs[i].push(c.commands.reduce((sum, command) => sum + seconds(command), 0)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const [floor, help, , paste] = runs.map(median);
  console.log(`start-up: the built command line, median of ${RUNS} runs (PASTE: ${PASTE}, one host)`);
  cases.forEach((c, i) => {
    const figure = median(runs[i]);
    console.log(`  ${c.label.padEnd(28)}${figure.toFixed(2).padStart(6)} s ${(figure / floor).toFixed(1).padStart(5)}× node -e 0`);
  });
  const met = help <= TARGETS.help && paste <= TARGETS.paste;
  console.log(`  target                      --help ≤ ${TARGETS.help} s, import + diagnose of the paste ≤ ${TARGETS.paste} s: ${met ? 'met' : 'NOT met'}`);
  console.log(`  machine                     load average ${loadavg()[0].toFixed(1)} at the end`);
}
