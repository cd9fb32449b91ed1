import type { OvnWorkerSpec, PodVmSpec, CiliumNodeSpec, FlannelNodeSpec, ScenarioSpec } from './types';

export const FABRIC_NETNS = 'tsl-fabric';
export const FABRIC_GATEWAY = '192.168.10.1';
export const UNDERLAY_PREFIX = 24;
/** The MAC the incident's pod VM gave vxlan0 (cloud-api-adaptor before PR #370 did not copy the pod MAC). */
export const SEED_PODVM_MAC = '7e:e5:f7:e6:f5:1a';

const WORKER_1: OvnWorkerSpec = {
  name: 'ocp-412-ovn-worker-1',
  netns: 'tsl-w1',
  nodeIp: '192.168.10.163',
  subnet: '10.132.2.0/23',
  mp0Ip: '10.132.2.2',
  mp0Mac: '0a:58:0a:84:02:02',
  pods: [
    {
      k8sNamespace: 'default',
      k8sName: 'nginx-priv',
      netns: 'c16c7a01-5b9e-4d3f-8a2c-6e1f0b9d2a46',
      hostVeth: 'c16c7a015b9e4d3',
      mac: '0a:58:0a:84:02:2e',
      ip: '10.132.2.46',
      prefix: 23,
      gateway: '10.132.2.1',
      vni: 555005,
      port: 4789,
      vm: 'podvm-nginx-priv-8b726648',
      mtu: 1400,
    },
  ],
};

const WORKER_2: OvnWorkerSpec = {
  name: 'ocp-412-ovn-worker-2',
  netns: 'tsl-w2',
  nodeIp: '192.168.10.164',
  subnet: '10.132.4.0/23',
  mp0Ip: '10.132.4.2',
  mp0Mac: '0a:58:0a:84:04:02',
  pods: [
    {
      k8sNamespace: 'default',
      k8sName: 'httpd-peer',
      netns: '7f3e9b2c-1a4d-4c8e-b6f0-2d9a5e7c3b17',
      hostVeth: '7f3e9b2c1a4d4c8',
      mac: '0a:58:0a:84:04:17',
      ip: '10.132.4.23',
      prefix: 23,
      gateway: '10.132.4.1',
      vni: 555006,
      port: 4789,
      vm: 'podvm-httpd-peer-3f9c2d1e',
      mtu: 1400,
    },
  ],
};

const PODVM_1: PodVmSpec = { name: 'podvm-nginx-priv-8b726648', netns: 'tsl-vm1', nodeIp: '192.168.10.201', worker: WORKER_1.name };
const PODVM_2: PodVmSpec = { name: 'podvm-httpd-peer-3f9c2d1e', netns: 'tsl-vm2', nodeIp: '192.168.10.202', worker: WORKER_2.name };

const CILIUM_1: CiliumNodeSpec = {
  name: 'k8s-cilium-node-1',
  netns: 'tsl-cil1',
  nodeIp: '192.168.10.181',
  routerIp: '10.0.1.1',
  podCidr: '10.0.1.0/24',
  pods: [
    { netns: 'cni-5d2a7c1e-3b4f-4e8a-9c6d-1f0e2b3a4c5d', lxc: 'lxc8e1f0c2a7b3d', ip: '10.0.1.23' },
    { netns: 'cni-9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', lxc: 'lxc4c7d9e2f1a0b', ip: '10.0.1.87' },
  ],
};

const FLANNEL_1: FlannelNodeSpec = {
  name: 'k8s-flannel-node-1',
  netns: 'tsl-fl1',
  nodeIp: '192.168.10.171',
  podCidrBase: '10.244.1',
  vtepMac: 'be:4c:1a:00:01:01',
  pod: { netns: 'cni-2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', hostVeth: 'veth3a9c1f2e', ip: '10.244.1.2' },
};

const FLANNEL_2: FlannelNodeSpec = {
  name: 'k8s-flannel-node-2',
  netns: 'tsl-fl2',
  nodeIp: '192.168.10.172',
  podCidrBase: '10.244.2',
  vtepMac: 'be:4c:1a:00:02:01',
  pod: { netns: 'cni-7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f', hostVeth: 'veth5e1b7d04', ip: '10.244.2.2' },
};

export const SCENARIOS: ScenarioSpec[] = [
  {
    name: 'default',
    description: 'OVN worker + peer-pod VM as found in the incident: vxlan0 MAC differs from the pod eth0 MAC',
    workers: [WORKER_1],
    podvms: [PODVM_1],
    cilium: [],
    flannel: [],
    seedFaults: ['podvm-mac-mismatch'],
  },
  {
    name: 'healthy',
    description: 'the default worker and pod VM with the tunnel working',
    workers: [WORKER_1],
    podvms: [PODVM_1],
    cilium: [],
    flannel: [],
    seedFaults: [],
  },
  {
    name: 'full',
    description: 'two OVN workers with two pod VMs, a Cilium-style node and two flannel-style nodes; seed fault only',
    workers: [WORKER_1, WORKER_2],
    podvms: [PODVM_1, PODVM_2],
    cilium: [CILIUM_1],
    flannel: [FLANNEL_1, FLANNEL_2],
    seedFaults: ['podvm-mac-mismatch'],
  },
];

export function findScenario(name: string): ScenarioSpec | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
