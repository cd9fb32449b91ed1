/**
 * The shipped capture of the peer-pod incident (public/samples/peerpod-incident.bundle.json, captured from the
 * lab's default scenario, see lib/sources/files.ts), and the same capture after the fix: the pod VM's vxlan0 set to
 * the pod's MAC, as `ip link set dev vxlan0 address 0a:58:0a:84:02:2e` in netns podns does.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CaptureBundle } from '@/lib/capture/types';

export const SAMPLE_PATH = path.resolve(__dirname, '../../public/samples/peerpod-incident.bundle.json');
export const PODVM = 'podvm-nginx-priv-8b726648';
export const PODVM_NETNS = 'podns';
export const VXLAN0_ID = `host:${PODVM}/ns:${PODVM_NETNS}/if:vxlan0`;
export const BROKEN_MAC = '7e:e5:f7:e6:f5:1a';
export const FIXED_MAC = '0a:58:0a:84:02:2e';
export const MAC_RULE = 'peerpod-podvm-mac-mismatch';

export function incidentBundle(): CaptureBundle {
  return JSON.parse(fs.readFileSync(SAMPLE_PATH, 'utf8')) as CaptureBundle;
}

/** Rewrites vxlan0's address in the pod VM's `ip -j link` and `ip -j addr` outputs; nothing else changes. */
export function fixedIncidentBundle(): CaptureBundle {
  const bundle = incidentBundle();
  const podns = bundle.hosts.find((h) => h.name === PODVM)?.namespaces.find((ns) => ns.netns === PODVM_NETNS);
  const records = podns?.commands.filter((c) => c.id === 'ip-link' || c.id === 'ip-addr') ?? [];
  if (records.length !== 2) throw new Error(`expected ip-link and ip-addr of ${PODVM}/${PODVM_NETNS} in the sample`);
  for (const record of records) {
    const links = JSON.parse(record.stdout) as { ifname: string; address: string }[];
    const vxlan0 = links.find((l) => l.ifname === 'vxlan0');
    if (vxlan0?.address !== BROKEN_MAC) throw new Error(`vxlan0 in ${record.id} does not carry ${BROKEN_MAC}`);
    vxlan0.address = FIXED_MAC;
    record.stdout = JSON.stringify(links);
  }
  return bundle;
}

/**
 * The same capture taken again after the worker sent `sent` more packets into its tunnel to the pod VM, none of
 * which arrived: what an underlay dropping the tunnel's UDP port looks like in a second capture.
 */
export function tunnelSentMoreBundle(sent: number): CaptureBundle {
  const bundle = incidentBundle();
  let grown = 0;
  for (const host of bundle.hosts.filter((h) => h.name !== PODVM)) {
    for (const record of host.namespaces.flatMap((ns) => ns.commands).filter((c) => c.id === 'ip-link')) {
      const links = JSON.parse(record.stdout) as { linkinfo?: { info_kind?: string }; stats64?: { tx?: { packets?: number } } }[];
      for (const link of links) {
        if (link.linkinfo?.info_kind !== 'vxlan' || link.stats64?.tx?.packets === undefined) continue;
        link.stats64.tx.packets += sent;
        grown++;
      }
      record.stdout = JSON.stringify(links);
    }
  }
  if (grown !== 1) throw new Error(`expected one worker tunnel with counters in the sample, found ${grown}`);
  return bundle;
}
