/** The worker's record of an unreached pod VM stands in for the VM when its tunnel settings are compared. */
import { describe, expect, it } from 'vitest';
import type { HostState, PeerPodSandbox } from '@/lib/parse/types';
import { hostId, ifaceId } from '@/lib/topology/ids';
import { run, topo } from './builders';
import { peerPodOvnNetdev } from './fixtures';
import { inspect } from '@/lib/view/inspect';

/** What the adaptor recorded for the fixture's peer pod (10.132.2.46 in lv-wpod, VNI 555005, port 4789, MTU 1400). */
const RECORD: PeerPodSandbox = { sandbox: '46ab', podIp: '10.132.2.46', podPrefix: 23, workerIp: '192.168.10.163', vni: 555005, port: 4789, mtu: 1400, routes: [] };

/** The fixture's worker alone, its pod VM not collected, holding the record as given. */
function workerOnly(record: Partial<PeerPodSandbox>): HostState[] {
  const worker = peerPodOvnNetdev().filter((h) => h.role === 'worker');
  return worker.map((h) => ({ ...h, peerpodSandboxes: [{ ...RECORD, ...record }] }));
}

describe('peer-pod record mismatch', () => {
  it('stays silent while the worker tunnel matches the record', () => {
    expect(run('peerpod-record-mismatch', workerOnly({}))).toEqual([]);
  });

  it('reports a VNI, a port and an MTU the record gave the unreached VM that the worker side does not have', () => {
    const [f, ...rest] = run('peerpod-record-mismatch', workerOnly({ vni: 555009, port: 4790, mtu: 1450 }));
    expect(rest).toEqual([]);
    expect(f?.title).toBe('Peer pod on worker: vxlan1 uses VNI 555005, the record 555009, vxlan1 sends to UDP port 4789, the record 4790, eth0 has MTU 1400, the pod VM was given 1450');
    expect(f?.elements).toEqual([ifaceId('worker', 'lv-wpod', 'vxlan1'), ifaceId('worker', 'lv-wpod', 'eth0')]);
  });

  it('leaves the comparison to the VM itself when the VM was collected', () => {
    const hosts = peerPodOvnNetdev().map((h) => (h.role === 'worker' ? { ...h, peerpodSandboxes: [{ ...RECORD, vni: 555009 }] } : h));
    expect(run('peerpod-record-mismatch', hosts)).toEqual([]);
  });

  it('shows the VM of a record that no capture holds as a pod VM host with the settings the worker expects', () => {
    const node = topo(workerOnly({})).nodes.find((n) => n.id === hostId('sandbox-46ab.podvm'));
    expect(node).toMatchObject({ kind: 'host', role: 'podvm', marks: ['partial-host'], podVm: { worker: 'worker', sandbox: '46ab', expected: { vni: 555005, mtu: 1400 } } });
    expect(node?.podVm?.unreached).toMatch(/not collected/);
    const rows = inspect(topo(workerOnly({})), hostId('sandbox-46ab.podvm'))?.sections.find((s) => s.title === 'Pod VM as its worker recorded it')?.rows;
    expect(rows).toEqual(
      expect.arrayContaining([
        ['Worker', 'worker'],
        ['Pod IP', '10.132.2.46/23'],
        ['VNI', '555005'],
        ['UDP port', '4789'],
        ['Remote (worker)', '192.168.10.163'],
      ]),
    );
    expect(rows?.find(([k]) => k === 'Not reached')?.[1]).toMatch(/not collected/);
  });
});
