/**
 * A synthetic cluster capture built by replicating a real lab capture with new names and addresses:
 * every host becomes `hosts` workers, and each worker's pod namespace is repeated `podsPerHost` times.
 */
import type { CaptureBundle, HostCapture, NamespaceCapture } from '@/lib/capture/types';

const IPV4 = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g;
const MAC = /\b([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})\b/g;

function hex(n: number): string {
  return (n & 255).toString(16).padStart(2, '0');
}

/** Moves every address into a per-host range: second octet and MAC byte 3–4 carry the host index. */
function rewrite(text: string, hostIndex: number, podIndex: number | null): string {
  return text
    .replace(IPV4, (all, a: string, b: string, c: string, d: string) => {
      if (a === '0' || a === '127' || a === '255') return all;
      const third = podIndex === null ? Number(c) : (Number(c) + Math.floor(podIndex / 200)) % 256;
      const fourth = podIndex === null ? Number(d) : ((Number(d) + podIndex) % 200) + 50;
      return `${a}.${(Number(b) + hostIndex) % 256}.${third}.${fourth}`;
    })
    .replace(MAC, (all, m1: string, m2: string, m3: string, m4: string, m5: string, m6: string) => {
      if (all === 'ff:ff:ff:ff:ff:ff' || all === '00:00:00:00:00:00') return all;
      const p = podIndex ?? 0;
      return `${m1}:${m2}:${hex(hostIndex >> 8)}:${hex(hostIndex)}:${hex(Number.parseInt(m5, 16) + (p >> 8))}:${hex(Number.parseInt(m6, 16) + p)}`;
    });
}

function cloneNamespace(ns: NamespaceCapture, netns: string | null, hostIndex: number, podIndex: number | null, from: string | null): NamespaceCapture {
  const rename = (s: string) => (from && netns ? s.split(from).join(netns) : s);
  return {
    netns,
    commands: ns.commands.map((c) => ({
      ...c,
      argv: c.argv.map(rename),
      stdout: rewrite(rename(c.stdout), hostIndex, podIndex),
    })),
  };
}

function cloneHost(base: HostCapture, hostIndex: number, podsPerHost: number): HostCapture {
  const root = base.namespaces.find((n) => n.netns === null);
  const pods = base.namespaces.filter((n) => n.netns !== null);
  const namespaces: NamespaceCapture[] = [];
  if (root) namespaces.push(cloneNamespace(root, null, hostIndex, null, null));
  for (let j = 0; j < podsPerHost && pods.length; j++) {
    const template = pods[j % pods.length];
    const name = `${hostIndex.toString(16).padStart(8, '0')}-${j.toString(16).padStart(4, '0')}-4a1e-9c1d-5f0e2b7c${j.toString(16).padStart(4, '0')}`;
    namespaces.push(cloneNamespace(template, name, hostIndex, j, template.netns));
  }
  return { ...base, name: `${base.name}-${hostIndex}`, namespaces };
}

export function syntheticBundle(base: CaptureBundle, hosts: number, podsPerHost: number): CaptureBundle {
  const templates = base.hosts.filter((h) => h.status !== 'failed');
  const workers = templates.filter((h) => h.role === 'worker');
  const pool = workers.length ? workers : templates;
  const out: HostCapture[] = [];
  for (let i = 0; i < hosts; i++) out.push(cloneHost(pool[i % pool.length], i + 1, podsPerHost));
  return { ...base, source: { kind: 'synthetic', detail: `${hosts} hosts × ${podsPerHost} pods` }, hosts: out, cluster: undefined };
}
