/**
 * Where each fix line runs. A rule writes its fix for the host whose devices it judged: the host of its first
 * element, unless a line is preceded by `on(host)` (a fix that touches two hosts says which lines run where).
 * kubectl lines run against the cluster from anywhere. Diagnosis then names each host as a person finds it: its
 * role, the Kubernetes node it is, and for a pod VM the peer pod it runs.
 */
import type { ClusterContext } from '@/lib/capture/types';
import { UNNAMED_HOST } from '@/lib/capture/paste/transcript';
import type { HostState } from '@/lib/parse/types';
import { memoize } from '@/lib/topology/memoize';
import { edgeById, nodeById } from '@/lib/topology/query/graph';
import { rootAddressesOf } from '@/lib/topology/query/device-index';
import type { Device } from '@/lib/topology/query/devices';
import type { Topology } from '@/lib/topology/types';
import type { ShellLine } from './fix';
import { peerPodLinks, type PeerPodLink } from './peerpod';
import { podOwningNetns } from './pod-owner';
import type { Finding, FixRole, FixStep, FixTarget } from './types';

/** A mark in a rule's fix list: the lines after it run on this host. Only `on` makes one. */
export class FixPlace {
  private constructor(readonly host: string) {}

  static of(host: string): FixPlace {
    return new FixPlace(host);
  }
}

export type FixEntry = ShellLine | FixPlace;

/** The lines after this mark run on `host` (a host, a device's host, or a host name). */
export function on(host: HostState | Device | string): FixPlace {
  return FixPlace.of(typeof host === 'string' ? host : 'iface' in host ? host.host.name : host.name);
}

/** A rule's fix list as the lines and the steps its marks start. */
export function splitFix(entries: readonly FixEntry[]): { fix: ShellLine[]; fixOn: FixStep[] } {
  const fix: ShellLine[] = [];
  const fixOn: FixStep[] = [];
  for (const entry of entries) {
    if (entry instanceof FixPlace) fixOn.push({ from: fix.length, on: { kind: 'host', host: entry.host } });
    else fix.push(entry);
  }
  return { fix, fixOn };
}

/** Lines that talk to the API server, whoever prints them: they run wherever kubectl reaches the cluster. */
function isKubectl(line: ShellLine): boolean {
  return /^(?:kubectl|oc)\s/.test(line);
}

function isNote(line: ShellLine): boolean {
  return line.startsWith('#');
}

/** The host of a finding's first element (a device, namespace, host or edge), else of its first evidence. */
function defaultHost(topology: Topology, finding: Finding): string | undefined {
  for (const id of finding.elements) {
    const node = nodeById(topology, id) ?? nodeById(topology, edgeById(topology, id)?.source ?? '');
    if (node && node.kind !== 'pod' && node.host !== '') return node.host;
  }
  return finding.evidence[0]?.host;
}

/**
 * One target per line: a command line runs on its step's host, or against the cluster when it is kubectl; a note
 * goes with the command it introduces (the next one in its step), or with the one before it at the end.
 */
function lineTargets(finding: Finding, fallback: string | undefined, cluster: ClusterContext | undefined): (FixTarget | undefined)[] {
  const fix = finding.fix ?? [];
  const steps = finding.fixOn ?? [];
  const stepOf = (i: number): number => steps.findLastIndex((s) => s.from <= i);
  const hostAt = (i: number): FixTarget | undefined => steps[stepOf(i)]?.on ?? (fallback === undefined ? undefined : { kind: 'host', host: fallback });
  const clusterTarget: FixTarget = { kind: 'cluster', ...(cluster?.name ? { cluster: cluster.name } : {}) };
  const own = fix.map((line, i) => (isNote(line) ? undefined : isKubectl(line) ? clusterTarget : hostAt(i)));
  return fix.map((line, i) => {
    if (!isNote(line)) return own[i];
    const inStep = (target: FixTarget | undefined, j: number): boolean => target !== undefined && stepOf(j) === stepOf(i);
    const next = own.findIndex((t, j) => j > i && inStep(t, j));
    const previous = own.findLastIndex((t, j) => j < i && inStep(t, j));
    return own[next >= 0 ? next : previous] ?? hostAt(i);
  });
}

function sameTarget(a: FixTarget | undefined, b: FixTarget | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.kind === 'host' ? b.kind === 'host' && a.host === b.host : b.kind === 'cluster';
}

interface HostFacts {
  workers: Set<HostState>;
  podVms: Map<HostState, PeerPodLink>;
}

const hostFacts = memoize((topology: Topology): HostFacts => {
  const workers = new Set<HostState>();
  const podVms = new Map<HostState, PeerPodLink>();
  for (const link of peerPodLinks(topology)) {
    workers.add(link.podIf.host);
    if (link.podVm && !podVms.has(link.podVm.host)) podVms.set(link.podVm.host, link);
  }
  return { workers, podVms };
});

/** The Kubernetes node a host is: by name, else by one of the node's internal IPs held in the host's root namespace. */
export function kubeNodeName(topology: Topology, cluster: ClusterContext | undefined, host: HostState): string | undefined {
  const nodes = cluster?.nodes ?? [];
  const byName = nodes.find((n) => n.name === host.name);
  if (byName) return byName.name;
  const addresses = rootAddressesOf(topology, host);
  return nodes.find((n) => n.internalIPs.some((ip) => addresses.has(ip)))?.name;
}

/** A host target with what the capture and the cluster context tell about the host. */
export function describeHost(topology: Topology, cluster: ClusterContext | undefined, name: string): FixTarget {
  if (name === UNNAMED_HOST) return { kind: 'host', host: name, role: 'unnamed' };
  const host = topology.hosts.find((h) => h.name === name);
  if (!host) return { kind: 'host', host: name, role: 'host' };
  const facts = hostFacts(topology);
  const link = facts.podVms.get(host);
  if (host.role === 'podvm' || link) {
    if (!link) return { kind: 'host', host: name, role: 'pod-vm' };
    const pod = podOwningNetns(topology, link.podIf.host.name, link.podIf.ns.netns);
    return {
      kind: 'host',
      host: name,
      role: 'pod-vm',
      ...(pod ? { pod: `${pod.namespace}/${pod.name}` } : {}),
      worker: link.podIf.host.name,
      ...(link.podIf.ns.netns !== null ? { podNetns: link.podIf.ns.netns } : {}),
    };
  }
  const node = kubeNodeName(topology, cluster, host);
  const role: FixRole = host.role === 'worker' || facts.workers.has(host) ? 'worker' : host.role === 'node' || node !== undefined ? 'node' : 'host';
  return { kind: 'host', host: name, role, ...(node !== undefined ? { node } : {}) };
}

/** The finding with a step for every run of lines that share a place, each place described in full. */
export function placeFix(topology: Topology, cluster: ClusterContext | undefined, finding: Finding): Finding {
  const fix = finding.fix ?? [];
  if (fix.length === 0) return finding;
  const targets = lineTargets(finding, defaultHost(topology, finding), cluster);
  const steps: FixStep[] = [];
  targets.forEach((target, i) => {
    if (target === undefined || (i > 0 && sameTarget(targets[i - 1], target))) return;
    steps.push({ from: i, on: target.kind === 'host' ? describeHost(topology, cluster, target.host) : target });
  });
  const { fixOn: _old, ...rest } = finding;
  return steps.length > 0 ? { ...rest, fixOn: steps } : rest;
}
