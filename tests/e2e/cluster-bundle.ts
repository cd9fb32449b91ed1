/**
 * A big cluster for the overview tests: `pairs` copies of the peer-pod incident (a worker and its pod VM), each
 * pair with its own host names, addresses and MACs, so every pair has its tunnel, its underlay link and its MAC
 * mismatch. Pair N moves the second octet of every IPv4 address up by N and puts N in bytes 3–4 of every MAC.
 */
import type { CaptureBundle, HostCapture } from '@/lib/capture/types';
import { peerPodBundle } from './peerpod-bundle';

const IPV4 = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g;
const MAC = /\b([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})\b/g;
const UNCHANGED_MACS = new Set(['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff']);

function hex(n: number): string {
  return (n & 255).toString(16).padStart(2, '0');
}

/** The address an IPv4 address of the incident has in pair `n`. */
export function pairAddress(ip: string, n: number): string {
  return ip.replace(IPV4, (all, a: string, b: string, c: string, d: string) => (a === '0' || a === '127' || a === '255' ? all : `${a}.${(Number(b) + n) % 256}.${c}.${d}`));
}

function rewrite(text: string, n: number): string {
  return pairAddress(text, n).replace(MAC, (all, m1: string, m2: string, _m3: string, _m4: string, m5: string, m6: string) =>
    UNCHANGED_MACS.has(all) ? all : `${m1}:${m2}:${hex(n >> 8)}:${hex(n)}:${m5}:${m6}`,
  );
}

function copyHost(host: HostCapture, n: number): HostCapture {
  return {
    ...host,
    name: `${host.name}-${n}`,
    namespaces: host.namespaces.map((ns) => ({ ...ns, commands: ns.commands.map((c) => ({ ...c, stdout: rewrite(c.stdout, n) })) })),
  };
}

export function clusterBundle(pairs: number): CaptureBundle {
  const incident = peerPodBundle();
  const hosts: HostCapture[] = [];
  for (let n = 1; n <= pairs; n++) hosts.push(...incident.hosts.map((h) => copyHost(h, n)));
  return { ...incident, source: { kind: 'upload', detail: `e2e ${pairs} peer-pod pairs` }, hosts };
}
