/**
 * Whether a table of a namespace can be judged. An empty table from a command that ran means "none"; from a
 * command that did not run it means "unknown". Captures made before the list of collected commands existed
 * lack it: there a non-empty table is the only sign that the command ran.
 */
import type { CommandId } from '@/lib/capture/types';
import type { NamespaceState } from '@/lib/parse/types';

export function ranIn(ns: NamespaceState, command: CommandId, tableHasRows: boolean): boolean {
  return ns.collected ? ns.collected.includes(command) : tableHasRows;
}
