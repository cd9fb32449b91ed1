/**
 * The raw truth: what each command printed on each host, kept verbatim.
 * A capture bundle is the unit that snapshots store and users upload.
 */
import type { COMMANDS } from '@/lib/commands';
import type { RecordedKind } from './source-kinds';
import type { PodVmReach } from './pod-vm';

export const BUNDLE_FORMAT = 'tunnelscope.capture';
export const BUNDLE_VERSION = 1;

/** ok: ran and exited 0 · error: ran and failed · missing-tool: binary not on the host · timeout: killed. */
export type CommandStatus = 'ok' | 'error' | 'missing-tool' | 'timeout';

/** Ids of the declared commands (lib/commands): the list is the one place a command is named. */
export type CommandId = (typeof COMMANDS)[number]['id'];

export interface CommandRecord {
  id: CommandId;
  argv: string[];
  /** Parameters the catalog filled into argv, e.g. { dev: 'eth0', hook: 'ingress' } for tc-filter. */
  params?: Record<string, string>;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  durationMs: number;
  status: CommandStatus;
  /** 'json' when the command was asked for JSON output, 'text' for plain output (pastes, older tools). */
  format: 'json' | 'text';
  /** True when part of the output is known to be missing (a `[snip]` in a pasted transcript). */
  truncated?: boolean;
}

export interface NamespaceCapture {
  /** Name of the named network namespace, or null for the host's root namespace. */
  netns: string | null;
  commands: CommandRecord[];
}

export type HostRole = 'worker' | 'podvm' | 'node' | 'unknown';

export interface HostCapture {
  name: string;
  role: HostRole;
  collectedAt: string;
  /** complete: every command ran · partial: some failed or timed out · failed: host unreachable. */
  status: 'complete' | 'partial' | 'failed';
  error?: string;
  namespaces: NamespaceCapture[];
  /** Pod VMs: how this one was reached. */
  podVm?: PodVmReach;
}

export interface ClusterPod {
  namespace: string;
  name: string;
  ip?: string;
  ips?: string[];
  nodeName?: string;
  runtimeClassName?: string;
  annotations?: Record<string, string>;
}

/** The CNIs discovery recognises from their own pods or a node's annotations (lib/kube/cni.ts). */
export type ClusterCni = 'ovn-kubernetes' | 'cilium' | 'flannel' | 'calico' | 'antrea' | 'kube-ovn';

/** flannel's VXLAN backend: the annotation holding `{"VNI":…,"VtepMAC":…}`, and the one holding the address to send to. */
export const FLANNEL_BACKEND_DATA = 'flannel.alpha.coreos.com/backend-data';
export const FLANNEL_PUBLIC_IP = 'flannel.alpha.coreos.com/public-ip';

export interface ClusterNode {
  name: string;
  internalIPs: string[];
  podCIDRs?: string[];
  /** nodeInfo.osImage and nodeInfo.kernelVersion as the kubelet reports them. */
  os?: string;
  kernel?: string;
  cni?: ClusterCni;
  /** The annotations a CNI publishes for other nodes to program their tunnels from (flannel's VTEP MAC and public IP). */
  annotations?: Record<string, string>;
}

export interface ClusterContext {
  name?: string;
  nodes: ClusterNode[];
  pods: ClusterPod[];
  /** The runtime class that marks a pod as a peer pod (its containers run in a pod VM); `kata-remote` by default. */
  peerPodRuntimeClass?: string;
}

export interface CaptureSource {
  kind: RecordedKind;
  detail?: string;
}

export interface CaptureBundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  createdAt: string;
  source: CaptureSource;
  hosts: HostCapture[];
  cluster?: ClusterContext;
}

/** A bundle without its hosts: what a bundle file holds around the hosts it is read for. */
export type BundleEnvelope = Omit<CaptureBundle, 'hosts'>;
