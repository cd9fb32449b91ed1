/**
 * Kernel hosts for the cluster tests, named with the suite's own prefix (this one's by default): each a network namespace with its own
 * mount and UTS namespaces (lib/lab/host.ts's createHost, reused as is), holding real pod namespaces joined by veth.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { exec } from '@/lib/lab/exec';
import { createHost, onHost, pinFiles } from '@/lib/lab/host';
import type { LabHost, LabRole, PeerPodSpec } from '@/lib/lab/types';

export const NETNS_PREFIX = 'h16-';

/** The peer pod of the cluster tests, as the lab describes one (its worker's record is written by lib/lab). */
export const PEER_POD: PeerPodSpec = {
  k8sNamespace: 'shop',
  k8sName: 'peer-1',
  netns: 'cni-peer',
  hostVeth: 'veth0',
  mac: '0a:58:0a:f4:01:32',
  ip: '10.244.1.50',
  prefix: 24,
  gateway: '10.244.1.1',
  vni: 555001,
  port: 4789,
  vm: 'vm-1',
  mtu: 1450,
};

export interface TestHosts {
  stateDir: string;
  hosts: LabHost[];
  teardown(): Promise<void>;
}

export interface HostSpec {
  name: string;
  role: LabRole;
  /** Pod namespaces on the host: name → address/prefix given to the pod's eth0. */
  pods: Record<string, string>;
}

async function addPod(host: LabHost, index: number, pod: string, address: string): Promise<void> {
  const hostSide = `veth${index}`;
  await onHost(host, ['ip', 'netns', 'add', pod]);
  await onHost(host, ['ip', 'link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod]);
  await onHost(host, ['ip', 'link', 'set', hostSide, 'up']);
  await onHost(host, ['ip', 'addr', 'add', address, 'dev', 'eth0'], pod);
  await onHost(host, ['ip', 'link', 'set', 'eth0', 'up'], pod);
  await onHost(host, ['ip', 'link', 'set', 'lo', 'up'], pod);
}

/**
 * A link that comes up gets its IPv6 link-local address in the background: duplicate address detection first, then
 * the address's local route. Two captures taken meanwhile differ, so a host is handed out once no address of the
 * namespace is tentative and each has its local route.
 */
async function ipv6Settled(host: LabHost, netns: string | undefined): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const addrs = await onHost(host, ['ip', '-6', '-o', 'addr', 'show'], netns);
    const locals = (await onHost(host, ['ip', '-6', 'route', 'show', 'table', 'local'], netns)).split('\n');
    const routed = [...addrs.matchAll(/ inet6 ([0-9a-f:]+)\//g)].every((m) => locals.some((line) => line.startsWith(`local ${m[1]} `)));
    if (routed && !/\btentative\b/.test(addrs)) return;
    await delay(50);
  }
  throw new Error(`IPv6 addresses on ${host.name}${netns ? ` (netns ${netns})` : ''} did not finish duplicate address detection`);
}

export async function buildHosts(specs: readonly HostSpec[], prefix = NETNS_PREFIX): Promise<TestHosts> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), `${prefix}hosts-`));
  const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
  const hosts: LabHost[] = [];
  const teardown = async (): Promise<void> => {
    for (const host of hosts) {
      const pins = pinFiles(stateDir, host.netns);
      for (const pin of [pins.mnt, pins.uts]) await exec(['umount', '-l', pin]);
      await exec(['ip', 'netns', 'del', host.netns]);
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    for (const [i, spec] of specs.entries()) {
      const host = await createHost(stateDir, { name: spec.name, netns: `${prefix}${tag}-${i}`, role: spec.role, cni: 'none' });
      hosts.push(host);
      let index = 0;
      for (const [pod, address] of Object.entries(spec.pods)) await addPod(host, index++, pod, address);
      for (const ns of [undefined, ...Object.keys(spec.pods)]) await ipv6Settled(host, ns);
    }
  } catch (error) {
    await teardown();
    throw error;
  }
  return { stateDir, hosts, teardown };
}
