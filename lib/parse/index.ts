/** Parse layer entry: a host's raw command outputs → typed host state (DESIGN.md §2). */
import type { CommandId, CommandRecord, HostCapture } from '@/lib/capture/types';
import type { HostState, NamespaceState, ParseProblem } from './types';
import { COMMANDS } from '@/lib/commands';
import { commandLine, type ParseResult, type Parser } from './parser';
import { emptyNamespace, mergeIntoHost, mergeIntoNamespace, orderedHostFields, resolvePeerNamespaces, type HostExtras } from './merge';

export type { ParseResult, Parser } from './parser';
export type { ParsedState } from './state';

/** Each declared command's parser, by id (lib/commands). */
export const PARSERS: Partial<Record<CommandId, Parser>> = Object.fromEntries(COMMANDS.flatMap((c) => ('parse' in c ? [[c.id, c.parse]] : [])));

export function parserFor(id: CommandId): Parser | undefined {
  return PARSERS[id];
}

/** The tool a command runs, e.g. "ovs-vsctl" for ["ovs-vsctl","-f","json","list","Bridge"]. */
function toolOf(record: CommandRecord): string {
  const first = record.argv[0] ?? record.id;
  return first.slice(first.lastIndexOf('/') + 1);
}

function statusProblem(record: CommandRecord, netns: string | null): ParseProblem | undefined {
  if (record.status !== 'timeout' && record.status !== 'error') return undefined;
  const where = netns === null ? '' : ` in namespace ${netns}`;
  if (record.status === 'timeout') return { command: commandLine(record.argv), message: `timed out${where}` };
  const stderr = record.stderr.trim().split('\n')[0] ?? '';
  const detail = stderr === '' ? '' : `: ${stderr}`;
  return { command: commandLine(record.argv), message: `failed with exit code ${record.exitCode ?? 'unknown'}${where}${detail}` };
}

/** `text.trim() === ''` without copying: decided at the first printable ASCII character (outputs can be megabytes). */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return text.trim() === '';
    if (c !== 0x20 && (c < 0x09 || c > 0x0d)) return false;
  }
  return true;
}

/** Runs one record's parser; a parser bug becomes a problem, never an exception for the caller. */
export function parseRecord(record: CommandRecord): ParseResult | undefined {
  const parser = parserFor(record.id);
  if (!parser || isBlank(record.stdout)) return undefined;
  try {
    return parser(record);
  } catch (e) {
    const message = `parser failed: ${e instanceof Error ? e.message : String(e)}`;
    return { state: {}, problems: [{ command: commandLine(record.argv), message }] };
  }
}

/** Parameters that do not narrow what a listing shows: the tc hook asked for, a layout (brief, arp's), the table. */
const WHOLE_LISTING_PARAMS: ReadonlySet<string> = new Set(['hook', 'brief', 'style', 'table']);

/**
 * The device a listing that ran completely is narrowed to: '' for its namespace's whole listing, undefined when
 * it is narrowed to something else (an address, a record). Called for every record, so it allocates nothing.
 */
function narrowedTo(params: Record<string, string> | undefined): string | undefined {
  let dev = '';
  for (const key in params) {
    if (WHOLE_LISTING_PARAMS.has(key)) continue;
    if (key !== 'dev') return undefined;
    dev = params[key];
  }
  return dev;
}

/** The ip listing a /proc or /sys read stands in for, by the read's id (lib/commands: fallbackFor). */
const FALLBACK_FOR: ReadonlyMap<string, { id: string; whole: boolean }> = new Map(COMMANDS.flatMap((c) => ('fallbackFor' in c ? [[c.id, c.fallbackFor]] : [])));

/** The listings a whole one holds, by its id (lib/commands: holds): `iptables-save` holds each table's. */
const HOLDS: ReadonlyMap<string, readonly string[]> = new Map(COMMANDS.flatMap((c) => ('holds' in c ? [[c.id, c.holds]] : [])));

/** ip's listings that ran in a namespace: a /proc or /sys read of the same is then not read (ip's output wins). */
function ipListingsRan(records: readonly CommandRecord[]): Set<string> {
  return new Set(records.filter((r) => r.status === 'ok' && !FALLBACK_FOR.has(r.id) && !isBlank(r.stdout)).map((r) => r.id));
}

class Coverage {
  readonly whole = new Set<string>();
  readonly devices = new Map<CommandId, Set<string>>();

  add(record: CommandRecord): void {
    if (record.status !== 'ok' || record.truncated) return;
    const dev = narrowedTo(record.params);
    const standsFor = FALLBACK_FOR.get(record.id);
    // A whole fallback listing lets rules judge absences as they would from ip's.
    if (dev === '' && standsFor?.whole) this.whole.add(standsFor.id);
    if (dev === '') for (const id of [record.id, ...(HOLDS.get(record.id) ?? [])]) this.whole.add(id);
    else if (dev !== undefined) {
      const devs = this.devices.get(record.id);
      if (devs) devs.add(dev);
      else this.devices.set(record.id, new Set([dev]));
    }
  }

  apply(ns: NamespaceState): void {
    ns.collected = [...this.whole].sort();
    if (this.devices.size === 0) return;
    const byCommand = [...this.devices].sort(([a], [b]) => a.localeCompare(b));
    ns.collectedFor = Object.fromEntries(byCommand.map(([id, devs]) => [id, [...devs].sort()]));
  }
}

export function parseHost(capture: HostCapture): HostState {
  const missingTools = new Set<string>();
  const problems: ParseProblem[] = [];
  const extras: HostExtras = {};
  const namespaces = capture.namespaces.map((nsCapture) => {
    const ns = emptyNamespace(nsCapture.netns);
    const collected = new Coverage();
    const ipRan = ipListingsRan(nsCapture.commands);
    for (const record of nsCapture.commands) {
      if (record.status === 'missing-tool') {
        missingTools.add(toolOf(record));
        continue;
      }
      const standsFor = FALLBACK_FOR.get(record.id);
      if (standsFor !== undefined && ipRan.has(standsFor.id)) continue;
      const status = statusProblem(record, nsCapture.netns);
      if (status) problems.push(status);
      collected.add(record);
      const result = parseRecord(record);
      if (!result) continue;
      problems.push(...result.problems);
      mergeIntoNamespace(ns, result.state);
      mergeIntoHost(extras, result.state);
    }
    resolvePeerNamespaces(ns);
    collected.apply(ns);
    return ns;
  });
  const state: HostState = {
    name: capture.name,
    role: capture.role,
    status: capture.status,
    namespaces,
    missingTools: [...missingTools].sort(),
    problems,
  };
  if (capture.error !== undefined) state.error = capture.error;
  if (capture.podVm !== undefined) state.podVm = capture.podVm;
  return { ...state, ...orderedHostFields(extras) };
}
