import { existsSync } from 'node:fs';
import { createHost, onHost } from './host';
import { addressUplink, createFabric, plugHost } from './fabric';
import { OVN_NB_SOCKET, OVS_DB_SOCKET, setupBrEx, setupLogicalNetwork, startOvn } from './ovn';
import { createPodVm, createWorkerPod } from './peerpod';
import { createCiliumNode } from './cilium';
import { createFlannelNode } from './flannel';
import { SEED_PODVM_MAC } from './scenarios';
import { writeState, type LabState } from './state';
import type { LabHost, OvnWorkerSpec, ScenarioSpec } from './types';

function workerFor(scenario: ScenarioSpec, vmName: string): OvnWorkerSpec {
  const w = scenario.workers.find((x) => x.pods.some((p) => p.vm === vmName));
  if (!w) throw new Error(`scenario ${scenario.name}: no worker runs a pod on ${vmName}`);
  return w;
}

/** Builds every host of a scenario; state.json is written first so a failed build can still be torn down. */
export async function buildScenario(dir: string, scenario: ScenarioSpec): Promise<LabState> {
  const state: LabState = { scenario: scenario.name, stateDir: dir, hosts: [], faults: [], createdRunMount: !existsSync('/run/mount') };
  await writeState(state);
  await createFabric();
  const add = async (h: LabHost) => {
    state.hosts.push(h);
    await writeState(state);
    return h;
  };
  let port = 0;
  const plug = (h: LabHost) => plugHost(h, `sw${++port}-${h.netns.slice(4)}`);

  for (const w of scenario.workers) {
    const host = await add(await createHost(dir, { name: w.name, netns: w.netns, role: 'worker', cni: 'ovn' }));
    host.ovs = { dbSocket: OVS_DB_SOCKET, ovnNbSocket: OVN_NB_SOCKET };
    await plug(host);
    // Kubernetes nodes route pod traffic: ip_forward is on, as kubelet and the CNI require.
    await onHost(host, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await startOvn(host, w);
    await setupBrEx(host, w);
    await setupLogicalNetwork(host, w);
    for (const pod of w.pods) {
      const vm = scenario.podvms.find((v) => v.name === pod.vm);
      if (!vm) throw new Error(`scenario ${scenario.name}: pod VM ${pod.vm} is not defined`);
      await createWorkerPod(host, w, pod, vm.nodeIp);
    }
  }
  const seedMac = scenario.seedFaults.includes('podvm-mac-mismatch');
  for (const vm of scenario.podvms) {
    const host = await add(await createHost(dir, { name: vm.name, netns: vm.netns, role: 'podvm', cni: 'none' }));
    await plug(host);
    await addressUplink(host, vm.nodeIp);
    const worker = workerFor(scenario, vm.name);
    const pod = worker.pods.find((p) => p.vm === vm.name);
    if (!pod) throw new Error(`scenario ${scenario.name}: no pod on ${vm.name}`);
    const firstVm = vm.name === scenario.podvms[0]?.name;
    await createPodVm(host, pod, worker, seedMac && firstVm ? SEED_PODVM_MAC : pod.mac);
  }
  if (seedMac) state.faults.push('podvm-mac-mismatch');
  for (const c of scenario.cilium) {
    const host = await add(await createHost(dir, { name: c.name, netns: c.netns, role: 'node', cni: 'cilium' }));
    await plug(host);
    await addressUplink(host, c.nodeIp);
    await createCiliumNode(host, c);
  }
  for (const f of scenario.flannel) {
    const host = await add(await createHost(dir, { name: f.name, netns: f.netns, role: 'node', cni: 'flannel' }));
    await plug(host);
    await addressUplink(host, f.nodeIp);
    await onHost(host, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  }
  for (const f of scenario.flannel) {
    const host = state.hosts.find((h) => h.name === f.name);
    if (host)
      await createFlannelNode(
        host,
        f,
        scenario.flannel.filter((p) => p !== f),
      );
  }
  await writeState(state);
  return state;
}
