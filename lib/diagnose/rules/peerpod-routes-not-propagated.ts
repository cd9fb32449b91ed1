import type { Finding, Rule } from '../types';
import type { NamespaceState, Route } from '@/lib/parse/types';
import { ranIn } from '@/lib/parse/collected';
import { deviceId, type Device } from '@/lib/topology/query/devices';
import { deviceEvidence, entityEvidence, mergeEvidence } from '../evidence';
import { inNetns, note, part, sh, type ShellLine, where } from '../fix';
import { peerPodLinks } from '../peerpod';
import { finding } from '../finding';

const ID = 'peerpod-routes-not-propagated';

function mainTable(route: Route): boolean {
  return route.family === 'inet' && (route.table === undefined || route.table === 'main') && (route.type === undefined || route.type === 'unicast');
}

/**
 * The routes cloud-api-adaptor copies into the pod VM: the pod's IPv4 unicast main-table routes. Kernel routes
 * are left out: they follow from the pod address on both sides, and releases differ in whether they copy them.
 */
function copiedRoutes(podIf: Device): Route[] {
  return podIf.ns.routes.filter((r) => mainTable(r) && r.dev === podIf.iface.name && r.protocol !== 'kernel');
}

/** "0.0.0.0/0" is "default" and "10.1.1.1/32" is "10.1.1.1", as ip prints them. */
function normalDst(dst: string): string {
  if (dst === '0.0.0.0/0') return 'default';
  return dst.endsWith('/32') ? dst.slice(0, -3) : dst;
}

/** A default route via another device is the external-network-via-pod-VM mode, where that NIC takes the default. */
function present(vmNs: NamespaceState, vmIf: string, route: Route): boolean {
  const dst = normalDst(route.dst);
  return vmNs.routes.some((r) => mainTable(r) && normalDst(r.dst) === dst && (r.gateway === route.gateway || (dst === 'default' && r.dev !== vmIf)));
}

function describe(route: Route): string {
  return `${route.dst}${route.gateway ? ` via ${route.gateway}` : ''}${route.scope === 'link' ? ' scope link' : ''}`;
}

/** Gateway-less routes first, as cloud-api-adaptor adds them: a gateway is only reachable once its link route exists. */
function fixFor(vm: Device, missing: Route[]): ShellLine[] {
  const ordered = [...missing.filter((r) => !r.gateway), ...missing.filter((r) => r.gateway)];
  const name = vm.iface.name;
  return [
    ...ordered.map((r) =>
      inNetns(
        vm.ns.netns,
        sh`ip route replace ${normalDst(r.dst)}${r.gateway ? part` via ${r.gateway}` : null} dev ${name}${r.scope === 'link' && part` scope link`}${r.flags.includes('onlink') && part` onlink`}`,
      ),
    ),
    note`or recreate the pod with cloud-api-adaptor v0.10.0 or later, which copies every pod route (PR #1920)`,
  ];
}

export const peerpodRoutesNotPropagated: Rule = {
  id: ID,
  severity: 'warning',
  title: 'Routes of the peer pod are missing in the pod VM',
  run(topology) {
    const out: Finding[] = [];
    for (const { podIf, podVm, tunnelEdge } of peerPodLinks(topology)) {
      if (!podVm || !ranIn(podIf.ns, 'ip-route', podIf.ns.routes.length > 0) || !ranIn(podVm.ns, 'ip-route', podVm.ns.routes.length > 0)) continue;
      const missing = copiedRoutes(podIf).filter((r) => !present(podVm.ns, podVm.iface.name, r));
      if (missing.length === 0) continue;
      const list = missing.map(describe).join(', ');
      const noDefault = missing.some((r) => normalDst(r.dst) === 'default');
      out.push(
        finding(ID, 'warning', {
          title: `Pod VM ${podVm.host.name} lacks pod route${missing.length > 1 ? 's' : ''} ${list}`,
          explanation:
            `The pod's routes on ${where(podIf.host.name, podIf.ns.netns, podIf.iface.name)} must reappear on ` +
            `${where(podVm.host.name, podVm.ns.netns, podVm.iface.name)}, where the pod's processes actually run; ` +
            `the pod VM lacks ${list}. ` +
            (noDefault
              ? 'Without the default route the workload reaches nothing outside its own subnet (services, DNS, other nodes), '
              : 'Destinations behind the missing routes are sent out of the default route or nowhere, ') +
            `although everything looks right on the worker. cloud-api-adaptor copies these routes when it sets up the pod; ` +
            `older releases failed on gateway routes that need a link-scope route first (Calico, EKS) and left the rest out. ` +
            `Both route tables were read with ip route.`,
          evidence: mergeEvidence([
            ...missing.flatMap((r) => entityEvidence(podIf.host, podIf.ns, r)),
            ...podVm.ns.routes.filter(mainTable).flatMap((r) => entityEvidence(podVm.host, podVm.ns, r)),
            deviceEvidence(podVm),
          ]),
          elements: [deviceId(podVm), deviceId(podIf), ...(tunnelEdge ? [tunnelEdge] : [])],
          fix: fixFor(podVm, missing),
        }),
      );
    }
    return out;
  },
};
