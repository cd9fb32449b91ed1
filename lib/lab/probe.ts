import { runOnHost } from './host';
import type { ScenarioSpec, LabHost, LabProbe } from './types';

/** One ICMP echo with a one-second wait; true when a reply came back. */
export async function ping(host: LabHost, ip: string, opts: { size?: number; dontFragment?: boolean; netns?: string } = {}): Promise<boolean> {
  const argv = ['ping', '-n', '-q', '-c1', '-W1'];
  if (opts.size !== undefined) argv.push('-s', String(opts.size));
  if (opts.dontFragment) argv.push('-M', 'do');
  const r = await runOnHost(host, [...argv, ip], { netns: opts.netns, timeoutMs: 5000 });
  return r.exitCode === 0;
}

/** Pairs each host with the pod IPs it should reach: workers their peer pods, CNI nodes their pods (flannel: also the peer node's). */
export function probeTargets(scenario: ScenarioSpec): { from: string; to: string }[] {
  const targets: { from: string; to: string }[] = [];
  for (const w of scenario.workers) for (const p of w.pods) targets.push({ from: w.name, to: p.ip });
  for (const c of scenario.cilium) for (const p of c.pods) targets.push({ from: c.name, to: p.ip });
  for (const f of scenario.flannel) for (const g of scenario.flannel) targets.push({ from: f.name, to: g.pod.ip });
  return targets;
}

export async function runProbes(scenario: ScenarioSpec, hosts: LabHost[]): Promise<LabProbe[]> {
  return Promise.all(
    probeTargets(scenario).map(async (t) => {
      const host = hosts.find((h) => h.name === t.from);
      return { ...t, ok: host ? await ping(host, t.to) : false };
    }),
  );
}
