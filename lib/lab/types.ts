export type LabRole = 'worker' | 'podvm' | 'node';
export type LabCni = 'ovn' | 'cilium' | 'flannel' | 'none';

export interface LabHost {
  name: string;
  role: LabRole;
  cni: LabCni;
  /** root-namespace netns name holding this host's network namespace */
  netns: string;
  /** argv prefix that runs a command "on" the host */
  enter: string[];
  /** named network namespaces visible on the host (as `ip netns list` inside it shows) */
  namespaces: string[];
  ovs?: { dbSocket: string; ovnNbSocket?: string };
}

export interface LabProbe {
  from: string;
  to: string;
  ok: boolean;
}

export interface LabStatus {
  scenario: string;
  stateDir: string;
  hosts: LabHost[];
  faults: string[];
  probes: LabProbe[];
}

/** A peer pod: the worker-side pod namespace and the pod VM that really runs it, joined by one VXLAN tunnel. */
export interface PeerPodSpec {
  k8sNamespace: string;
  k8sName: string;
  /** CRI-style netns name on the worker */
  netns: string;
  /** host end of the pod veth, a port on br-int (OVN-Kubernetes names it after the sandbox id) */
  hostVeth: string;
  mac: string;
  ip: string;
  prefix: number;
  gateway: string;
  vni: number;
  port: number;
  /** name of the pod VM host */
  vm: string;
  mtu: number;
}

export interface OvnWorkerSpec {
  name: string;
  netns: string;
  nodeIp: string;
  subnet: string;
  mp0Ip: string;
  mp0Mac: string;
  pods: PeerPodSpec[];
}

export interface PodVmSpec {
  name: string;
  netns: string;
  nodeIp: string;
  worker: string;
}

export interface CiliumPodSpec {
  netns: string;
  lxc: string;
  ip: string;
}

export interface CiliumNodeSpec {
  name: string;
  netns: string;
  nodeIp: string;
  routerIp: string;
  podCidr: string;
  pods: CiliumPodSpec[];
}

export interface FlannelNodeSpec {
  name: string;
  netns: string;
  nodeIp: string;
  /** 10.244.N.0/24: cni0 holds .1, flannel.1 holds .0/32 */
  podCidrBase: string;
  vtepMac: string;
  pod: { netns: string; hostVeth: string; ip: string };
}

export interface ScenarioSpec {
  name: string;
  description: string;
  workers: OvnWorkerSpec[];
  podvms: PodVmSpec[];
  cilium: CiliumNodeSpec[];
  flannel: FlannelNodeSpec[];
  /** faults broken right after bring-up */
  seedFaults: string[];
}
