/**
 * The part of public/tunnelscope-collect.sh that names commands, written from the declarations: what runs once
 * per host, what runs in every namespace (or only the root or the named ones) and per device, and which outputs get
 * their secrets masked. The rest of the script (options, the `run` function, namespace discovery) is hand-written
 * around the marked block.
 * `npm run generate:collector` rewrites the block; a test fails when the checked-in script is out of date.
 */
import type { CommandDeclaration, NamespaceKind } from './declaration';
import { SYSCTL_FILES_READER } from './sysctl';

export const BEGIN_MARK = '# BEGIN commands: generated from lib/commands by `npm run generate:collector`; do not edit by hand.';
export const END_MARK = '# END commands';
export const FALLBACK_BEGIN_MARK = '# BEGIN fallback: generated from lib/commands by `npm run generate:collector`; do not edit by hand.';
export const FALLBACK_END_MARK = '# END fallback';

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A word as sh reads it back unchanged; the same rule as the script's own q(). */
function quoteWord(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function paramName(word: string): string | undefined {
  return /^\{(\w+)\}$/.exec(word)?.[1];
}

function argvWords(command: CommandDeclaration): string {
  return command.argv
    .map((w) => {
      const param = paramName(w);
      return param === undefined ? quoteWord(w) : `"$${param}"`;
    })
    .join(' ');
}

function runLine(command: CommandDeclaration, ns: string): string {
  return `run ${command.id} ${ns} ${command.optional ? 1 : 0} ${argvWords(command)}`;
}

/**
 * A namespace's line for a command: `batched` for one run only in a batch, a skip where the batch holds the command
 * covering it (which must come earlier in the list, so that it is queued first).
 */
function netnsLine(command: CommandDeclaration, earlier: readonly CommandDeclaration[]): string {
  if (command.batchedOnly) return `batched ${command.id} "$ns" ${command.optional ? 1 : 0} ${argvWords(command)}`;
  if (command.coveredBy === undefined) return runLine(command, '"$ns"');
  if (!earlier.some((c) => c.id === command.coveredBy && c.batchedOnly))
    throw new Error(`command ${command.id} is covered by ${command.coveredBy}, which is not a batched-only command listed before it`);
  return `covered ${command.coveredBy} || ${runLine(command, '"$ns"')}`;
}

/**
 * Batched-only commands, tried once on the host before any namespace: one the tool does not answer is run nowhere.
 * A JSON one must print JSON: a batch of JSON commands is split back at their one line each, and an iproute2 that
 * takes -j but prints an object's text form would make the namespace's batch run again command by command.
 */
function probes(commands: readonly CommandDeclaration[]): string[] {
  const probe = (c: CommandDeclaration) =>
    c.format === 'json'
      ? `  case $(${argvWords(c)} 2>/dev/null </dev/null) in '['* | '{'*) ;; *) unbatchable="\${unbatchable}${c.id} " ;; esac`
      : `  ${argvWords(c)} >/dev/null 2>&1 </dev/null || unbatchable="\${unbatchable}${c.id} "`;
  return [
    '# Batched-only commands the host does not answer (tried once, before any namespace), in $unbatchable.',
    'probe_batched() {',
    "  unbatchable=' '",
    ...commands.filter((c) => c.collect && c.batchedOnly).map(probe),
    '}',
  ];
}

/** A device-scoped command: its jobs function prints one line of parameters per run. */
function deviceRuns(command: CommandDeclaration): string[] {
  if (command.collectorJobs === undefined) throw new Error(`command ${command.id} runs per device but names no collectorJobs function`);
  const params = command.argv.flatMap((w) => paramName(w) ?? []);
  // The namespace's scratch file, free between flushes: one file fewer to create per namespace.
  const jobs = '"$tmp/s"';
  return [`${command.collectorJobs} "$ns" >${jobs}`, `while read -r ${params.join(' ')}; do`, `  ${runLine(command, '"$ns"')}`, `done <${jobs}`];
}

/** The test collect_netns makes of its namespace ($ns, - for the root one) for commands run in only some. */
const NAMESPACE_TEST: Record<NamespaceKind, string> = { root: '[ "$ns" = - ]', named: '[ "$ns" != - ]' };

/**
 * The lines of a namespace's commands, indented for collect_netns: each run of neighbours declared for the root or
 * the named namespaces only inside an `if` on the namespace, the others as they are.
 */
function inNamespaces(commands: readonly CommandDeclaration[], lines: (command: CommandDeclaration, i: number) => string[]): string[] {
  const out: string[] = [];
  let open: NamespaceKind | undefined;
  commands.forEach((command, i) => {
    if (command.namespaces !== open) {
      if (open !== undefined) out.push('  fi');
      if (command.namespaces !== undefined) out.push(`  if ${NAMESPACE_TEST[command.namespaces]}; then`);
      open = command.namespaces;
    }
    const indent = open === undefined ? '  ' : '    ';
    out.push(...lines(command, i).map((l) => indent + l));
  });
  if (open !== undefined) out.push('  fi');
  return out;
}

function masks(commands: readonly CommandDeclaration[]): string[] {
  const secret = commands.filter((c) => c.collect && c.secrets);
  const byMask = [
    { mask: 'json', ids: secret.filter((c) => c.format === 'json').map((c) => c.id) },
    // Text forms can print OVSDB maps as key=value as well as JSON pairs.
    { mask: 'json+text', ids: secret.filter((c) => c.format === 'text').map((c) => c.id) },
  ].filter((m) => m.ids.length > 0);
  return [
    '# The masks an output needs before it is printed (in $mask): those that can hold secrets, as lib/capture/redact.ts masks them.',
    'masks() {',
    '  case $1 in',
    ...byMask.map((m) => `    ${m.ids.join('|')}) mask=${m.mask} ;;`),
    "    *) mask='' ;;",
    '  esac',
    '}',
  ];
}

/** The /proc/sys files of sysctl listings (in $files), read by one grep instead of sysctl walking all of /proc/sys. */
function sysctlFiles(commands: readonly CommandDeclaration[]): string[] {
  return [
    "# The /proc/sys files a sysctl listing selects (in $files); when batching, $sysctl_reader's functions print their lines.",
    'sysctl_files() {',
    '  case $1 in',
    ...commands.filter((c) => c.collect && c.sysctlFiles).map((c) => `    ${c.id}) files=${quoteWord((c.sysctlFiles ?? []).join(' '))} ;;`),
    "    *) files='' ;;",
    '  esac',
    '}',
    `sysctl_reader=${quoteWord(SYSCTL_FILES_READER)}`,
  ];
}

/** The generated block, markers included. */
export function commandBlock(commands: readonly CommandDeclaration[]): string {
  const collected = commands.filter((c) => c.collect && c.fallbackFor === undefined);
  const at = (scope: CommandDeclaration['scope']) => collected.filter((c) => c.scope === scope);
  const netns = at('netns');
  const narrowedHost = at('host').find((c) => c.namespaces !== undefined);
  if (narrowedHost) throw new Error(`command ${narrowedHost.id} runs once per host, in the root namespace: \`namespaces\` narrows only netns and device scopes`);
  return [
    BEGIN_MARK,
    ...masks(commands),
    ...sysctlFiles(commands),
    ...probes(commands),
    '',
    '# Once per host, in the root namespace.',
    'collect_host() {',
    ...at('host').map((c) => `  ${runLine(c, '-')}`),
    '  flush -',
    '}',
    '',
    '# In one namespace (NETNS INDEX; NETNS - is the root namespace): its listings, then the per-device ones; iproute2',
    '# commands run at each flush, in batches, so the per-device ones are chosen from listings already read.',
    'collect_netns() {',
    '  ns=$1',
    "  covering=' '",
    ...inNamespaces(netns, (c, i) => [netnsLine(c, netns.slice(0, i))]),
    '  flush "$ns"',
    ...inNamespaces(at('device'), deviceRuns),
    '  flush "$ns"',
    '}',
    END_MARK,
  ].join('\n');
}

/** The reads of /proc/net and /sys/class/net that stand in for ip's listings where `ip` is missing, markers included. */
export function fallbackBlock(commands: readonly CommandDeclaration[]): string {
  const fallbacks = commands.filter((c) => c.collect && c.fallbackFor !== undefined);
  return [
    FALLBACK_BEGIN_MARK,
    '# Where ip is missing: the namespace the script runs in, read from /proc/net and /sys/class/net (NETNS - only:',
    '# /sys/class/net shows the namespace sysfs was mounted in, not the one a process enters).',
    'collect_fallback() {',
    '  ns=$1',
    ...fallbacks.map((c) => `  ${runLine(c, '"$ns"')}`),
    '}',
    FALLBACK_END_MARK,
  ].join('\n');
}

function replaceBlock(script: string, begin: string, end: string, block: string): string {
  const from = script.indexOf(begin);
  const to = script.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`the collector script has no generated block "${begin.slice(2, begin.indexOf(':'))}" (its BEGIN and END markers are missing)`);
  return script.slice(0, from) + block + script.slice(to + end.length);
}

/** The script with its generated blocks replaced; an error when the markers are missing. */
export function withCommandBlock(script: string, commands: readonly CommandDeclaration[]): string {
  const withCommands = replaceBlock(script, BEGIN_MARK, END_MARK, commandBlock(commands));
  return replaceBlock(withCommands, FALLBACK_BEGIN_MARK, FALLBACK_END_MARK, fallbackBlock(commands));
}
