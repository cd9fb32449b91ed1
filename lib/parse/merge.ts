/** Merging what each command says into one namespace and one host, field by field (lib/parse/state.ts). */
import type { HostStateFields, ParsedState } from './state';
import { FIELD_LIST } from './state';
import type { NamespaceState } from './types';

export function emptyNamespace(netns: string | null): NamespaceState {
  // Filled field by field below, from the list.
  const ns = { netns } as NamespaceState;
  for (const [name, field] of FIELD_LIST) if (field.level === 'namespace' && field.empty) Reflect.set(ns, name, field.empty());
  return ns;
}

export type HostExtras = HostStateFields;

function mergeAt(level: 'namespace' | 'host', into: NamespaceState | HostExtras, s: ParsedState): void {
  for (const [name, field] of FIELD_LIST) {
    const piece = s[name];
    if (field.level === level && piece) Reflect.set(into, name, field.merge(Reflect.get(into, name), piece));
  }
}

export function mergeIntoNamespace(ns: NamespaceState, s: ParsedState): void {
  mergeAt('namespace', ns, s);
}

export function mergeIntoHost(host: HostExtras, s: ParsedState): void {
  mergeAt('host', host, s);
}

/** The host's fields in the order of the list, whatever order the commands ran in: a host state always serialises alike. */
export function orderedHostFields(host: HostExtras): HostExtras {
  const ordered: HostExtras = {};
  for (const [name, field] of FIELD_LIST) if (field.level === 'host' && Reflect.get(host, name)) Reflect.set(ordered, name, Reflect.get(host, name));
  return ordered;
}

/** A namespace with every field emptied (or dropped, where a field is absent until stated), its identity kept. */
export function clearedNamespace(ns: NamespaceState): NamespaceState {
  const cleared = { ...ns };
  for (const [name, field] of FIELD_LIST) if (field.level === 'namespace') Reflect.set(cleared, name, field.empty ? field.empty() : undefined);
  return cleared;
}

/** Text forms name the peer's namespace, JSON gives its nsid: with `ip netns list-id` each fills the other. */
export function resolvePeerNamespaces(ns: NamespaceState): void {
  for (const iface of ns.interfaces) {
    if (iface.linkNetnsId !== undefined && iface.linkNetns === undefined) {
      const name = ns.netnsIds.find((n) => n.nsid === iface.linkNetnsId)?.name;
      if (name !== undefined) iface.linkNetns = name;
    } else if (iface.linkNetns !== undefined && iface.linkNetnsId === undefined) {
      const nsid = ns.netnsIds.find((n) => n.name === iface.linkNetns)?.nsid;
      if (nsid !== undefined) iface.linkNetnsId = nsid;
    }
  }
}
