/**
 * The `tunnelscope` command line. Every error is one clear line and a non-zero exit. A command's module loads when
 * the command runs, so `--help` loads nothing else and analysing a paste loads neither a database driver nor the
 * Kubernetes client.
 */
import { parseArgs, UsageError, type ParsedArgs } from './args';
import type { Io } from './io';
import { cliTimeBudgetMs, startWatchdog } from './watchdog';
import { CAPTURE_KINDS, declarationOf } from '@/lib/capture/source-kinds';

// The cluster has a usage line of its own, for its options.
const COLLECT_USAGE = `  tunnelscope collect --source ${CAPTURE_KINDS.filter((kind) => !declarationOf(kind).choices).join('|')} -o FILE`;

const HELP = `tunnelscope — device-level network topology and fault finder for Kubernetes nodes and peer-pod VMs

Usage:
${COLLECT_USAGE.padEnd(53)} capture hosts into a bundle
  tunnelscope collect --source kube [--kubeconfig F] [--context C] [--mode agent|debug|cni-pod]
                      [--nodes a,b | --selector k=v] [--pod-vms] [--runtime-class NAME]
                      [--concurrency N] [--host-timeout SEC] [--debug-image IMAGE] -o FILE
                      [--pod-vm-ssh-key FILE | --pod-vm-ssh-secret NS/NAME]
                      [--pod-vm-known-hosts FILE | --pod-vm-known-hosts-configmap NS/NAME]
                      [--pod-vm-ssh-user USER] [--pod-vm-ssh-port N] [--pod-vm-ssh-no-host-key-check]
                                                      capture a live cluster's nodes (and peer-pod VMs: over SSH
                                                      when a key is given, else by exec into the peer pod)
  tunnelscope import FILE... -o FILE                  transcripts, collector outputs or bundles → one bundle
  tunnelscope topology FILE [--json]                  print the device graph
  tunnelscope diagnose FILE [--json]                  print findings with evidence and fixes
  tunnelscope trace FILE --from ELEMENT|HOST --to IP [--json]
                                                      walk the path hop by hop, name the first broken hop
  tunnelscope diff BEFORE AFTER [--json]              two captures of the same hosts: findings resolved and new,
                                                      and what the counters say happened in between
  tunnelscope snapshot --source ${CAPTURE_KINDS.join('|')} [kube options as for collect] [--title T] [--server URL]
  tunnelscope snapshot FILE [--title T] [--server URL]
                                                      store a snapshot and print its incident link
  tunnelscope serve [--port N] [--host ADDRESS]       start the built dashboard (on 127.0.0.1 unless --host;
                                                      other addresses need TUNNELSCOPE_AUTH, see README)
  tunnelscope demo [--port N]                         lab (or the bundled sample) → snapshot → dashboard
  tunnelscope lab up [--scenario NAME] | down | status [--json] | list | break FAULT | heal FAULT

FILE may be a capture bundle (.json), the output of public/tunnelscope-collect.sh, or a pasted terminal
transcript. Use - for standard input. Bundle files of any size are read host by host.`;

// \r and "erase line" redraw the status line where it is; lines written meanwhile go above it.
const CLEAR_LINE = '\r\u001b[2K';

const defaultIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  ...(process.stderr.isTTY
    ? { status: (line: string | null) => process.stderr.write(line === null ? CLEAR_LINE : `${CLEAR_LINE}${line.slice(0, Math.max(20, (process.stderr.columns ?? 80) - 1))}`) }
    : {}),
};

type Command = (args: ParsedArgs, io: Io) => Promise<number>;

const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  collect: async () => (await import('./capture')).cmdCollect,
  import: async () => (await import('./analyse')).cmdImport,
  topology: async () => (await import('./analyse')).cmdTopology,
  diagnose: async () => (await import('./analyse')).cmdDiagnose,
  trace: async () => (await import('./analyse')).cmdTrace,
  diff: async () => (await import('./analyse')).cmdDiff,
  snapshot: async () => (await import('./capture')).cmdSnapshot,
  serve: async () => (await import('./serve')).cmdServe,
  demo: async () => (await import('./serve')).cmdDemo,
};

const BOOLEANS = ['json', 'help', 'h', 'pod-vms', 'pod-vm-ssh-no-host-key-check'] as const;

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      io.out(HELP);
      return command ? 0 : 1;
    }
    if (command === 'lab') return await (await import('@/lib/lab/cli')).runLabCli(rest, io.out);
    const args = parseArgs(rest, BOOLEANS);
    if (args.options.help || args.options.h) {
      io.out(HELP);
      return 0;
    }
    const run = await loadCommand(command);
    if (BUDGETED.has(command)) {
      const budget = cliTimeBudgetMs();
      const stop = startWatchdog(
        budget,
        `tunnelscope: error: ${command} took longer than ${budget / 1000} s (the budget, TUNNELSCOPE_ANALYSIS_TIMEOUT_MS) and was stopped; check the input for damage, or raise the budget for a very large capture`,
      );
      try {
        return await run(args, io);
      } finally {
        stop();
      }
    }
    return await run(args, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`tunnelscope: error: ${message.split('\n')[0].slice(0, 400)}`);
    return 2;
  }
}

/** Commands that analyse what they are given: a time budget ends one that would never finish (cli/watchdog.ts). */
const BUDGETED: ReadonlySet<string> = new Set(['import', 'topology', 'diagnose', 'trace', 'diff']);

/** The command's module, loaded before its time budget starts: the budget is for the work, not for loading code. */
async function loadCommand(command: string): Promise<Command> {
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) throw new UsageError(`unknown command "${command}" (see tunnelscope --help)`);
  return load();
}
