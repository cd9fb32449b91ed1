/**
 * The most network devices one host of a snapshot may hold. Like the hosts a bundle may hold, it is a refusal of the
 * whole capture, not a cut: a host shown with some of its devices would be diagnosed as if the rest were missing
 * (peers without ends, bridges without ports), and findings that are not true are worse than no snapshot.
 */
import type { HostState } from '@/lib/parse/types';
import { integerSetting } from '@/lib/capture/settings';

/** A real node with a few hundred pods holds well under 5,000 devices (a veth pair end and a few tunnels each). */
export const DEFAULT_MAX_DEVICES_PER_HOST = 20_000;

/** TUNNELSCOPE_MAX_DEVICES_PER_HOST, a positive integer; anything else keeps the default. */
export function maxDevicesPerHost(env: Readonly<Record<string, string | undefined>> = process.env): number {
  return integerSetting(env.TUNNELSCOPE_MAX_DEVICES_PER_HOST, DEFAULT_MAX_DEVICES_PER_HOST);
}

/** A capture refused for holding more than a limit allows; the message names what and where. */
export class SnapshotLimitError extends Error {
  constructor(
    message: string,
    readonly details: { limit: number; hosts: { name: string; devices: number }[] },
  ) {
    super(message);
    this.name = 'SnapshotLimitError';
  }
}

function devicesOf(host: HostState): number {
  return host.namespaces.reduce((n, ns) => n + ns.interfaces.length, 0);
}

/** Throws when a host has more devices than `limit`, naming the largest such hosts and their counts. */
export function checkDevicesPerHost(hosts: readonly HostState[], limit: number): void {
  const over = hosts
    .map((h) => ({ name: h.name, devices: devicesOf(h) }))
    .filter((h) => h.devices > limit)
    .sort((a, b) => b.devices - a.devices);
  if (over.length === 0) return;
  const named = over
    .slice(0, 3)
    .map((h) => `"${h.name}" has ${h.devices} devices`)
    .join(', ');
  const more = over.length > 3 ? ` and ${over.length - 3} more hosts are over it too` : '';
  throw new SnapshotLimitError(
    `${over.length === 1 ? 'Host' : 'Hosts'} ${named}${more}: more than the ${limit} one host may hold (TUNNELSCOPE_MAX_DEVICES_PER_HOST). Nothing was stored. ` +
      'Capture that host apart with fewer namespaces, or raise the limit on this server.',
    { limit, hosts: over.slice(0, 20) },
  );
}
