/** Stage: Linux bridge membership (`master` naming a bridge device in the same namespace), e.g. cni0 ports. */
import type { Interface, NamespaceState } from '@/lib/parse/types';
import { edgeId, ifaceId } from './ids';
import type { StageInput, StageOutput } from './stage';
import type { TopoEdge } from './types';

function linuxBridgeOf(ns: NamespaceState, iface: Interface): Interface | undefined {
  if (iface.master === undefined) return undefined;
  const master = ns.interfaces.find((i) => i.name === iface.master);
  if (master === undefined) return undefined;
  return master.kind === 'bridge' || iface.slaveKind === 'bridge' ? master : undefined;
}

export function bridgePortStage(input: StageInput): StageOutput {
  const edges: TopoEdge[] = [];
  for (const host of input.hosts) {
    for (const ns of host.namespaces) {
      for (const iface of ns.interfaces) {
        const bridge = linuxBridgeOf(ns, iface);
        if (bridge === undefined) continue;
        const from = ifaceId(host.name, ns.netns, iface.name);
        const to = ifaceId(host.name, ns.netns, bridge.name);
        const label = iface.bridgePortState ?? 'port';
        edges.push({ id: edgeId('bridge-port', from, to, true), kind: 'bridge-port', source: from, target: to, directed: true, label, marks: [] });
      }
    }
  }
  return { edges };
}
