/**
 * Stable, readable element ids derived from names (DESIGN.md §3), so that `?focus=` keeps pointing at the
 * same device in the next snapshot of the same cluster. Every producer and consumer of ids uses these.
 */

export function hostId(host: string): string {
  return `host:${host}`;
}

/** The root namespace has no node of its own: its devices hang directly under the host. */
export function netnsId(host: string, netns: string | null): string {
  return netns === null ? hostId(host) : `${hostId(host)}/ns:${netns}`;
}

export function ifaceId(host: string, netns: string | null, ifname: string): string {
  return `${netnsId(host, netns)}/if:${ifname}`;
}

export function ovsBridgeId(host: string, bridge: string): string {
  return `${hostId(host)}/ovs:${bridge}`;
}

export function podId(namespace: string, name: string): string {
  return `pod:${namespace}/${name}`;
}

/** An underlay segment shared by several hosts, named by its subnet (e.g. `segment:192.168.10.0/24`). */
export function segmentId(cidr: string): string {
  return `segment:${cidr}`;
}

/** Undirected edges sort their ends so that A–B and B–A get the same id. */
export function edgeId(kind: string, a: string, b: string, directed = false): string {
  const [x, y] = directed || a <= b ? [a, b] : [b, a];
  return `${kind}:${x}|${y}`;
}
