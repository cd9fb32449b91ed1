/**
 * Two prompt names for one machine (`root@node-a` and `[core@node-a.example.com ~]`, a hostNetwork pod reached
 * with `kubectl exec` and the node itself): the same devices with the same MACs and addresses. Such hosts are read
 * as one, under the first name, and the import problems say so.
 */
import { parseRecord } from '@/lib/parse';
import type { HostCapture } from '../types';

/** MACs that many machines share: not evidence of anything. */
function telling(mac: string): boolean {
  const m = mac.toLowerCase();
  return !/^(?:00:00:00:00:00:00|ff:ff:ff:ff:ff:ff|ee:ee:ee:ee:ee:ee)$/.test(m) && !/^(?:33:33|01:00:5e)/.test(m);
}

/** `name mac` pairs of a host's root namespace devices, from its `ip link`/`ip addr` listings. */
function identity(host: HostCapture): Set<string> {
  const out = new Set<string>();
  const root = host.namespaces.find((ns) => ns.netns === null);
  for (const record of root?.commands ?? []) {
    if (record.id !== 'ip-link' && record.id !== 'ip-addr') continue;
    for (const iface of parseRecord(record)?.state.interfaces ?? []) {
      if (iface.mac !== undefined && telling(iface.mac)) out.add(`${iface.name} ${iface.mac.toLowerCase()}`);
    }
  }
  return out;
}

/** Hosts merged where two names are plainly one machine: at least two devices alike by name and MAC, none unlike. */
export function mergeSameMachines(hosts: HostCapture[]): { hosts: HostCapture[]; notes: string[] } {
  const ids = hosts.map(identity);
  const into = hosts.map((_, i) => i);
  const notes: string[] = [];
  for (let j = 1; j < hosts.length; j++) {
    for (let i = 0; i < j; i++) {
      if (into[i] !== i) continue;
      const a = ids[i];
      const b = ids[j];
      const shared = [...b].filter((x) => a.has(x));
      const aNames = new Map([...a].map((x) => x.split(' ') as [string, string]));
      const clash = [...b].some((x) => {
        const [name, mac] = x.split(' ');
        return aNames.has(name) && aNames.get(name) !== mac;
      });
      if (shared.length >= 2 && !clash) {
        into[j] = i;
        notes.push(
          `"${hosts[j].name}" and "${hosts[i].name}" show the same devices with the same MACs (${shared
            .slice(0, 3)
            .map((x) => x.replace(' ', ' '))
            .join(', ')}): read as one machine, "${hosts[i].name}"`,
        );
        break;
      }
    }
  }
  const out: HostCapture[] = [];
  hosts.forEach((host, j) => {
    if (into[j] === j) {
      out.push({ ...host, namespaces: host.namespaces.map((ns) => ({ ...ns, commands: [...ns.commands] })) });
      return;
    }
    const target = out.find((h) => h.name === hosts[into[j]].name);
    if (!target) return;
    for (const ns of host.namespaces) {
      const same = target.namespaces.find((n) => n.netns === ns.netns);
      if (same) same.commands.push(...ns.commands);
      else target.namespaces.push({ netns: ns.netns, commands: [...ns.commands] });
    }
  });
  return { hosts: out, notes };
}
