import { CATALOG, type CatalogEntry } from '../catalog';
import type { CommandRecord, HostCapture, NamespaceCapture } from '../types';

function isOptional(catalog: readonly CatalogEntry[], record: CommandRecord): boolean {
  return catalog.find((e) => e.id === record.id)?.optional === true;
}

/**
 * The tool is there but has no such command: busybox's ip prints its usage for `netns` (it has none), and an
 * iproute2 built without an object says `Object "netns" is unknown`. Like a missing tool, the command does not
 * apply to the host.
 */
function unknownToTool(record: CommandRecord): boolean {
  return record.status === 'error' && (/^BusyBox v\S+ .*multi-call binary/m.test(record.stderr) || /^Object "[^"]+" is unknown/m.test(record.stderr));
}

/**
 * failed: nothing ran in the root namespace (host unreachable, namespace gone);
 * partial: a required command failed, or any command timed out; missing tools, and commands the tool does not
 * have, alone keep a host complete.
 */
export function hostStatus(catalog: readonly CatalogEntry[], namespaces: readonly NamespaceCapture[]): { status: HostCapture['status']; error?: string } {
  const rootRecords = namespaces.find((ns) => ns.netns === null)?.commands ?? [];
  if (!rootRecords.some((c) => c.status === 'ok')) {
    const first = rootRecords.find((c) => c.stderr.trim() !== '');
    const reason = first ? first.stderr.trim().split('\n')[0] : 'no command produced output';
    return { status: 'failed', error: `could not run any command on the host: ${reason}` };
  }
  const broken = namespaces.flatMap((ns) => ns.commands).some((c) => c.status === 'timeout' || (c.status === 'error' && !isOptional(catalog, c) && !unknownToTool(c)));
  return { status: broken ? 'partial' : 'complete' };
}

export function defaultHostStatus(namespaces: readonly NamespaceCapture[]): { status: HostCapture['status']; error?: string } {
  return hostStatus(CATALOG, namespaces);
}
