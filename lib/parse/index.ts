// Minimal starting point; the full parser set replaces this file.
import type { HostCapture } from '@/lib/capture/types';
import type { HostState, Interface, NamespaceState } from './types';

function emptyNamespace(netns: string | null): NamespaceState {
  return { netns, netnsIds: [], interfaces: [], routes: [], neighbors: [], qdiscs: [], tcFilters: [], fdb: [], firewall: [], sysctls: {}, bpf: [] };
}

export function parseHost(capture: HostCapture): HostState {
  const namespaces = capture.namespaces.map((ns) => {
    const state = emptyNamespace(ns.netns);
    const link = ns.commands.find((c) => c.id === 'ip-link' && c.format === 'json' && c.status === 'ok');
    if (link) {
      const rows = JSON.parse(link.stdout) as Array<Record<string, unknown>>;
      state.interfaces = rows.map(
        (r): Interface => ({
          ifindex: Number(r.ifindex),
          name: String(r.ifname),
          kind: 'device',
          mac: typeof r.address === 'string' ? r.address : undefined,
          flags: Array.isArray(r.flags) ? r.flags.map(String) : [],
          up: Array.isArray(r.flags) && r.flags.includes('UP'),
          lowerUp: Array.isArray(r.flags) && r.flags.includes('LOWER_UP'),
          addresses: [],
        }),
      );
    }
    return state;
  });
  return { name: capture.name, role: capture.role, status: capture.status, error: capture.error, namespaces, missingTools: [], problems: [] };
}
