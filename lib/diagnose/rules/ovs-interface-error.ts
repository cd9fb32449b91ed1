import type { Finding, Rule } from '../types';
import { ifaceId, ovsBridgeId } from '@/lib/topology/ids';
import { entityEvidence } from '../evidence';
import { ovsBridgeOf } from '../ovs';
import { rootNamespace } from '../devices';

const ID = 'ovs-interface-error';

export const ovsInterfaceError: Rule = {
  id: ID,
  severity: 'warning',
  title: 'OVS could not add an interface (ofport -1 or error set)',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      for (const ovsIf of host.ovs?.interfaces ?? []) {
        if (ovsIf.ofport !== -1 && !ovsIf.error) continue;
        const bridge = ovsBridgeOf(host, ovsIf.name);
        const kernel = rootNamespace(host)?.interfaces.find((i) => i.name === ovsIf.name);
        out.push({
          rule: ID,
          severity: 'warning',
          title: `OVS interface ${ovsIf.name} on ${host.name}: ${ovsIf.error ?? 'ofport -1'}`,
          explanation:
            `OVS failed to attach ${ovsIf.name}${bridge ? ` to ${bridge.name}` : ''} (ofport ${ovsIf.ofport ?? 'unset'}` +
            `${ovsIf.error ? `, error "${ovsIf.error}"` : ''}), so no flow can send traffic to or from it. ` +
            (kernel ? 'The kernel device exists, so another bridge or bond may hold it.' : 'No kernel device of that name was found: it is a stale port of a deleted pod or NIC.'),
          evidence: entityEvidence(host, null, ovsIf),
          elements: [kernel ? ifaceId(host.name, null, ovsIf.name) : bridge ? ovsBridgeId(host.name, bridge.name) : ifaceId(host.name, null, ovsIf.name)],
          fix: [`ovs-vsctl --if-exists del-port ${bridge?.name ?? '<bridge>'} ${ovsIf.name}`],
        });
      }
    }
    return out;
  },
};
