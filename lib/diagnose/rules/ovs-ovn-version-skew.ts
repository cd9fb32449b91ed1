import type { Rule } from '../types';
import type { HostState } from '@/lib/parse/types';
import { hostId } from '@/lib/topology/ids';
import { externalIdEvidence, openVswitchEvidence } from '../open-vswitch';
import { note } from '../fix';
import { finding } from '../finding';

const ID = 'ovs-ovn-version-skew';

export const ovsOvnVersionSkew: Rule = {
  id: ID,
  severity: 'info',
  title: 'Open vSwitch versions differ across nodes',
  run(topology) {
    const byVersion = new Map<string, HostState[]>();
    for (const host of topology.hosts) {
      const version = host.ovs?.version;
      if (version !== undefined && version !== '') byVersion.set(version, [...(byVersion.get(version) ?? []), host]);
    }
    if (byVersion.size < 2) return [];
    const hosts = [...byVersion.values()].flat();
    const summary = [...byVersion].map(([v, hs]) => `${v} on ${hs.map((h) => h.name).join(', ')}`).join('; ');
    const matchNorthd = hosts.filter((h) => h.ovs?.externalIds['ovn-match-northd-version'] === 'true');
    return [
      finding(ID, 'info', {
        title: `Open vSwitch ${[...byVersion.keys()].join(' / ')} run side by side`,
        explanation:
          `The nodes run different Open vSwitch releases (${summary}). That is normal in the middle of an upgrade and ` +
          `usually harmless, but a stalled upgrade leaves nodes with different datapath features and bugs. ` +
          (matchNorthd.length > 0
            ? `${matchNorthd.map((h) => h.name).join(', ')} set ovn-match-northd-version=true: their ovn-controller stops ` +
              `processing southbound changes while its OVN version differs from northd's. `
            : '') +
          `Only ovs_version is collected; the ovn-controller and northd versions (ovn-appctl version) are not compared.`,
        evidence: [...hosts.map((h) => openVswitchEvidence(h, 'ovs_version', h.ovs?.version ?? '')), ...matchNorthd.flatMap((h) => externalIdEvidence(h, 'ovn-match-northd-version'))],
        elements: hosts.map((h) => hostId(h.name)),
        fix: [note`finish the upgrade so that every node runs the same Open vSwitch/OVN release (the OVN upgrade guide gives the order)`],
      }),
    ];
  },
};
