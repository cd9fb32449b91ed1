import type { Finding, Rule } from '../types';
import type { NamespaceState, OvsInterface } from '@/lib/parse/types';
import { ifaceId, ovsBridgeId } from '@/lib/topology/ids';
import { entityEvidence } from '../evidence';
import { ovsBridgeOf } from '../ovs';
import { rootNamespace } from '@/lib/topology/inventory';
import { devicesListed } from '@/lib/parse/collected';
import { sh } from '../fix';
import { finding } from '../finding';

const ID = 'ovs-interface-error';

/** Port types backed by a kernel device of the same name in the host's root namespace. */
const SYSTEM_TYPES = new Set(['', 'system']);

/**
 * A system port whose kernel device is gone: the userspace (netdev) datapath keeps its ofport and only reports the
 * link down after the device was deleted, where the kernel datapath would set ofport -1.
 */
function deviceGone(ovsIf: OvsInterface, root: NamespaceState | undefined): boolean {
  if (!SYSTEM_TYPES.has(ovsIf.type) || ovsIf.linkState !== 'down' || root === undefined || !devicesListed(root)) return false;
  return !root.interfaces.some((i) => i.name === ovsIf.name);
}

function kernelDevice(name: string, found: boolean, allListed: boolean): string {
  if (found) return 'The kernel device exists, so another bridge or bond may hold it.';
  if (allListed) return 'No kernel device of that name was found: it is a stale port of a deleted pod or NIC.';
  return `The capture does not list every device of the root namespace, so whether a kernel device ${name} still exists is not known (ip link show ${name} tells).`;
}

export const ovsInterfaceError: Rule = {
  id: ID,
  severity: 'warning',
  title: 'OVS could not add an interface (ofport -1 or error set), or holds one whose device is gone',
  run(topology) {
    const out: Finding[] = [];
    for (const host of topology.hosts) {
      const root = rootNamespace(host);
      for (const ovsIf of host.ovs?.interfaces ?? []) {
        const gone = deviceGone(ovsIf, root);
        if (ovsIf.ofport !== -1 && !ovsIf.error && !gone) continue;
        const bridge = ovsBridgeOf(host, ovsIf.name);
        const kernel = root?.interfaces.find((i) => i.name === ovsIf.name);
        const problem = ovsIf.error ?? (ovsIf.ofport === -1 || !gone ? 'ofport -1' : 'no kernel device of that name, link down');
        out.push(
          finding(ID, 'warning', {
            title: `OVS interface ${ovsIf.name} on ${host.name}: ${problem}`,
            explanation:
              (ovsIf.ofport !== -1 && !ovsIf.error
                ? `OVS still holds ${ovsIf.name}${bridge ? ` on ${bridge.name}` : ''} (ofport ${ovsIf.ofport ?? 'unset'}, link down), but its kernel device is gone, so nothing reaches it. `
                : `OVS failed to attach ${ovsIf.name}${bridge ? ` to ${bridge.name}` : ''} (ofport ${ovsIf.ofport ?? 'unset'}` +
                  `${ovsIf.error ? `, error "${ovsIf.error}"` : ''}), so no flow can send traffic to or from it. `) +
              kernelDevice(ovsIf.name, kernel !== undefined, root !== undefined && devicesListed(root)),
            evidence: entityEvidence(host, null, ovsIf),
            elements: [kernel ? ifaceId(host.name, null, ovsIf.name) : bridge ? ovsBridgeId(host.name, bridge.name) : ifaceId(host.name, null, ovsIf.name)],
            fix: [sh`ovs-vsctl --if-exists del-port ${bridge?.name ?? '<bridge>'} ${ovsIf.name}`],
          }),
        );
      }
    }
    return out;
  },
};
