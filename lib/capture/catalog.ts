import { COMMANDS } from '@/lib/commands';
import type { CommandDeclaration } from '@/lib/commands/declaration';
import type { CommandId } from './types';

export type CatalogEntry = CommandDeclaration<CommandId>;

/** Every command Tunnelscope knows (lib/commands). All are read-only. */
export const CATALOG: readonly CatalogEntry[] = COMMANDS;

const BY_ID = new Map<CommandId, CatalogEntry>(CATALOG.map((e) => [e.id, e]));

export function catalogEntry(id: CommandId): CatalogEntry {
  const entry = BY_ID.get(id);
  if (!entry) throw new Error(`command ${id} is not in the catalog`);
  return entry;
}

/** Reads the parameters back from an argv of the entry's shape (its `{name}` elements filled); null when argv is not that shape. */
export function paramsFromArgv(entry: CatalogEntry, argv: readonly string[]): Record<string, string> | null {
  if (argv.length !== entry.argv.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^\{(\w+)\}$/.exec(entry.argv[i]);
    if (m) params[m[1]] = argv[i];
    else if (entry.argv[i] !== argv[i]) return null;
  }
  return params;
}

export function findCatalogEntry(id: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.id === id);
}
