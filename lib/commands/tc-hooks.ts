/**
 * Which tc hooks of which devices can hold filters, read from `tc -j qdisc show`. Filters hang on a clsact qdisc
 * (an ingress and an egress hook) or on the legacy ingress qdisc (ingress only: `tc filter show dev X egress`
 * there lists the same ingress filters again, see lib/parse/tc.ts). A device with neither has no filter that
 * `tc filter show dev X ingress|egress` could print, so the collector does not ask.
 */
/**
 * What the job choice reads of a namespace's command records (lib/capture/types.ts), named here because the
 * records' ids are derived from the declarations this module belongs to.
 */
export interface Listing {
  id: string;
  status: string;
  stdout: string;
}

export type TcHook = 'ingress' | 'egress';

const HOOKS_OF_QDISC: Record<string, TcHook[]> = { clsact: ['ingress', 'egress'], ingress: ['ingress'] };

/** Device → hooks with a filter-holding qdisc; undefined when the qdisc listing is missing or unreadable. */
export function filterHooks(qdiscs: Listing | undefined): Map<string, TcHook[]> | undefined {
  if (qdiscs?.status !== 'ok') return undefined;
  let rows: unknown;
  try {
    rows = JSON.parse(qdiscs.stdout);
  } catch {
    return undefined;
  }
  if (!Array.isArray(rows)) return undefined;
  const out = new Map<string, TcHook[]>();
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue;
    const { kind, dev } = row as Record<string, unknown>;
    const hooks = typeof kind === 'string' ? HOOKS_OF_QDISC[kind] : undefined;
    if (typeof dev === 'string' && hooks !== undefined) out.set(dev, [...new Set([...(out.get(dev) ?? []), ...hooks])]);
  }
  return out;
}

/** The tc-filter jobs worth running in a namespace: every device and hook when the qdiscs are unknown. */
export function wantsFilterJob(namespace: readonly Listing[]): (params: Record<string, string>) => boolean {
  const hooks = filterHooks(namespace.find((r) => r.id === 'tc-qdisc'));
  return (params) => hooks === undefined || (hooks.get(params.dev ?? '')?.includes(params.hook as TcHook) ?? false);
}
