import type { Finding, Rule } from '../types';
import type { NamespaceState } from '@/lib/parse/types';
import { deviceId, type Device } from '@/lib/topology/query/devices';
import { rootNamespace } from '@/lib/topology/inventory';
import { sh, sysctlName } from '../fix';
import { ovsInterface } from '../ovs';
import { podVethHostEnds } from '../veth';
import { finding } from '../finding';

const ID = 'rp-filter-strict';

/** The kernel applies max(conf.all.rp_filter, conf.<dev>.rp_filter). */
function effective(ns: NamespaceState, dev: string): number | undefined {
  const all = ns.sysctls['net.ipv4.conf.all.rp_filter'];
  const own = ns.sysctls[`net.ipv4.conf.${dev}.rp_filter`];
  if (all === undefined && own === undefined) return undefined;
  return Math.max(Number(all ?? 0), Number(own ?? 0));
}

/**
 * Devices where packets legitimately arrive on another interface than the reverse route: the OVN management port
 * (OVN-Kubernetes sets loose mode on it) and pod veths whose traffic is steered by BPF programs.
 */
function asymmetricDevices(devices: Device[]): Device[] {
  return devices.filter(({ host, ns, iface }) => {
    const ovsIf = ovsInterface(host, iface.name);
    if (ovsIf?.type === 'internal' && ovsIf.externalIds['iface-id'] !== undefined) return true;
    return ns.tcFilters.some((f) => f.dev === iface.name && f.kind === 'bpf');
  });
}

export const rpFilterStrict: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Strict reverse-path filtering on a device with asymmetric pod traffic',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const root = rootNamespace(host);
      if (!root) continue;
      const candidates: Device[] = [...root.interfaces.map((iface) => ({ host, ns: root, iface })), ...podVethHostEnds(host).map((p) => p.hostEnd)];
      const seen = new Set<string>();
      for (const d of asymmetricDevices(candidates)) {
        if (seen.has(d.iface.name) || effective(root, d.iface.name) !== 1) continue;
        seen.add(d.iface.name);
        const own = root.sysctls[`net.ipv4.conf.${d.iface.name}.rp_filter`];
        out.push(
          finding(ID, 'warning', {
            title: `rp_filter is strict (1) on ${d.iface.name} (${host.name})`,
            explanation:
              `Packets for pods arrive on ${d.iface.name} from sources the kernel would route out of another device. With strict ` +
              `reverse-path filtering (effective value max(all, ${d.iface.name}) = 1) the kernel drops them silently; loose mode (2) ` +
              `or off (0) is what the CNI expects here.`,
            evidence: [
              {
                host: host.name,
                netns: null,
                command: 'sysctl -a -r rp_filter',
                lines: [`net.ipv4.conf.all.rp_filter = ${root.sysctls['net.ipv4.conf.all.rp_filter'] ?? '?'}`, ...(own !== undefined ? [`net.ipv4.conf.${d.iface.name}.rp_filter = ${own}`] : [])],
              },
            ],
            elements: [deviceId(d)],
            fix: [
              sh`sysctl -w ${`net.ipv4.conf.${sysctlName(d.iface.name)}.rp_filter=2`}`,
              ...(root.sysctls['net.ipv4.conf.all.rp_filter'] === '1' ? [sh`sysctl -w net.ipv4.conf.all.rp_filter=2`] : []),
            ],
          }),
        );
      }
    }
    return out;
  },
};
