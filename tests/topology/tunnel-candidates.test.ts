import { describe, expect, it } from 'vitest';
import { tunnelCandidates } from '@/lib/topology/tunnel-candidates';
import type { TunnelEnd } from '@/lib/topology/tunnel-ends';
import { iface } from '@/tests/fixtures/topology/builders';

function end(host: string, name: string, remote: string | undefined, namespaceAddresses: string[] = []): TunnelEnd {
  return {
    id: `${host}/${name}`,
    host,
    netns: null,
    iface: iface({ ifindex: 1, name, kind: 'vxlan' }),
    kind: 'vxlan',
    vni: 1,
    port: 4789,
    remote,
    external: false,
    namespaceAddresses,
  };
}

const ADDRESSES = new Map([
  ['worker-a', new Set(['192.168.10.1', '10.0.0.1'])],
  ['worker-b', new Set(['192.168.10.2'])],
  ['vm-1', new Set(['192.168.10.3'])],
  ['twin', new Set(['192.168.10.3'])],
]);

describe('tunnelCandidates', () => {
  const ends = [
    end('worker-a', 'vx-to-vm', '192.168.10.3', ['10.128.0.5']),
    end('vm-1', 'vx-to-a', '192.168.10.1', ['10.128.0.5']),
    end('twin', 'vx', '192.168.10.9'),
    end('worker-b', 'vx-lost', '192.168.10.77'),
    end('worker-b', 'vx-same-pod', undefined, ['10.128.0.5']),
  ];
  const c = tunnelCandidates(ends, ADDRESSES);

  it('lists every owner of an address in the order of the address map', () => {
    expect(c.owners('192.168.10.3')).toEqual(['vm-1', 'twin']);
    expect(c.owners('192.168.10.200')).toEqual([]);
    expect(c.owners(undefined)).toEqual([]);
  });

  it('offers as exact partners only the ends on a host owning the remote, in list order', () => {
    expect(c.onRemoteHost(ends[0])).toEqual([1, 2]);
    expect(c.onRemoteHost(ends[1])).toEqual([0]);
    expect(c.onRemoteHost(ends[3])).toEqual([]);
    expect(c.onHost('worker-b')).toEqual([3, 4]);
  });

  it('relates ends on the remote host, ends pointing back at this host, and ends sharing a namespace address (itself included)', () => {
    expect(c.related(ends[1])).toEqual([0, 1, 4]);
    expect(c.related(ends[0])).toEqual([0, 1, 2, 4]);
    expect(c.related(ends[3])).toEqual([]);
  });
});
