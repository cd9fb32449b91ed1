import { describe, expect, it } from 'vitest';
import { parseRecord } from '@/lib/parse';
import { recordOf } from './fixture';

const ROUTE_N = `Kernel IP routing table
Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
0.0.0.0         192.0.2.1       0.0.0.0         UG    100    0        0 eth0
10.244.1.0      10.244.1.0      255.255.255.0   UG    0      0        0 flannel.1
10.244.2.0      0.0.0.0         255.255.255.0   U     0      0        0 cni0
10.244.2.7      0.0.0.0         255.255.255.255 UH    0      0        0 cali0a1b2c3d4e5
10.244.3.0      0.0.0.0         255.255.255.192 U     0      0        0 *
`;

const NETSTAT = `Kernel IP routing table
Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface
0.0.0.0         198.51.100.1    0.0.0.0         UG        0 0          0 eth0
198.51.100.0    0.0.0.0         255.255.252.0   U         0 0          0 eth0
`;

describe('route -n and netstat -rn', () => {
  it('reads destinations with their prefix, gateways, devices, metrics and the blackhole of a Calico block', () => {
    const result = parseRecord(recordOf('route-n', ['route', '-n'], ROUTE_N));
    expect(result?.problems).toEqual([]);
    expect(result?.state.routes?.map((r) => [r.dst, r.gateway, r.dev, r.metric, r.type])).toEqual([
      ['default', '192.0.2.1', 'eth0', 100, undefined],
      ['10.244.1.0/24', '10.244.1.0', 'flannel.1', undefined, undefined],
      ['10.244.2.0/24', undefined, 'cni0', undefined, undefined],
      ['10.244.2.7', undefined, 'cali0a1b2c3d4e5', undefined, undefined],
      ['10.244.3.0/26', undefined, undefined, undefined, 'blackhole'],
    ]);
  });

  it('reads the netstat -rn columns (MSS Window irtt)', () => {
    const routes = parseRecord(recordOf('route-n', ['netstat', '-rn'], NETSTAT))?.state.routes ?? [];
    expect(routes.map((r) => [r.dst, r.gateway, r.dev])).toEqual([
      ['default', '198.51.100.1', 'eth0'],
      ['198.51.100.0/22', undefined, 'eth0'],
    ]);
  });

  it('skips, with a problem, a line whose destination is a name (route without -n)', () => {
    const text = ROUTE_N.replace('0.0.0.0         192.0.2.1', 'default         _gateway ').replace('10.244.2.0      0.0.0.0 ', 'pods.example    0.0.0.0 ');
    const result = parseRecord(recordOf('route-n', ['route'], text));
    expect(result?.state.routes?.find((r) => r.dst === 'default')?.gateway).toBeUndefined();
    expect(result?.problems.map((p) => p.message)).toEqual([expect.stringContaining('pods.example is a name')]);
  });
});
