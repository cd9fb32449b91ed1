/**
 * The worker's record of each peer pod's tunnel: one JSON line per sandbox, `{sandbox, "pod-network": {...}}`, as the
 * collector's jq prints it from /run/peerpod/pods/<sandbox>/apf.json. Field names are cloud-api-adaptor's
 * (pkg/podnetwork/tunneler: `podip`, `pod-hw-addr`, `worker-node-ip`, `vxlan-id`, `vxlan-port`, `mtu`, `routes`).
 */
import type { ParseProblem, PeerPodRoute, PeerPodSandbox } from './types';
import type { Parser } from './parser';
import { jsonExcerpt, printedSource, toInput } from './parser';
import { readJsonValues } from './json-values';
import { arr, isObject, num, obj, str, type JsonObject } from './json-fields';

export const parsePeerpodSandboxes: Parser = (record) => {
  const input = toInput(record);
  const { values, problems, texts } = readJsonValues(input.stdout, input.command);
  const sandboxes: PeerPodSandbox[] = [];
  const more: ParseProblem[] = [];
  for (const [i, { value, line }] of values.entries()) {
    const sandbox = isObject(value) ? str(value, 'sandbox') : undefined;
    const network = isObject(value) ? obj(value, 'pod-network') : undefined;
    if (sandbox === undefined || network === undefined) {
      more.push({ command: input.command, line, text: jsonExcerpt(value), message: 'not a sandbox record (no sandbox or no pod-network object)' });
      continue;
    }
    sandboxes.push({ ...fromPodNetwork(sandbox, network), source: printedSource(input.command, texts, i) });
  }
  return { state: { peerpodSandboxes: sandboxes }, problems: [...problems, ...more] };
};

/** `10.0.0.5/24` → address and length; Go writes a zero netip.Prefix as "invalid Prefix" or "". */
function prefixParts(text: string | undefined): { address?: string; length?: number } {
  const m = /^([0-9A-Fa-f.:]+)(?:\/(\d{1,3}))?$/.exec(text ?? '');
  if (!m) return {};
  return m[2] === undefined ? { address: m[1] } : { address: m[1], length: Number(m[2]) };
}

function routeOf(value: unknown): PeerPodRoute | undefined {
  if (!isObject(value)) return undefined;
  const route: PeerPodRoute = {};
  const dst = str(value, 'Dst');
  const gateway = str(value, 'GW');
  const dev = str(value, 'Dev');
  if (dst) route.dst = dst;
  if (gateway) route.gateway = gateway;
  if (dev) route.dev = dev;
  return route;
}

function fromPodNetwork(sandbox: string, o: JsonObject): PeerPodSandbox {
  const pod = prefixParts(str(o, 'podip'));
  const optional: Omit<PeerPodSandbox, 'sandbox' | 'routes' | 'source'> = {
    podIp: pod.address,
    podPrefix: pod.length,
    podMac: str(o, 'pod-hw-addr'),
    interface: str(o, 'interface'),
    workerIp: prefixParts(str(o, 'worker-node-ip')).address,
    tunnelType: str(o, 'tunnel-type'),
    vni: num(o, 'vxlan-id'),
    port: num(o, 'vxlan-port'),
    mtu: num(o, 'mtu'),
    index: num(o, 'index'),
  };
  const out: PeerPodSandbox = { sandbox, routes: arr(o, 'routes').flatMap((r) => routeOf(r) ?? []) };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined && value !== '') Object.assign(out, { [key]: value });
  return out;
}
