import { describe, expect, it } from 'vitest';
import { ipInCidr, networkOf, prefixLength, sameIp } from '@/lib/topology/ip';
import { buildTopology } from '@/lib/topology/build';
import { edgesOf, findInterface, interfacesOwningIp, nodeById } from '@/lib/topology/query/graph';
import { addressesOnHost } from '@/lib/topology/inventory';
import { peerPodHosts, OTHER_PEERPOD } from '@/tests/fixtures/topology/ovn-peerpod';

describe('ip arithmetic', () => {
  it('matches IPv4 addresses inside and outside a prefix', () => {
    expect(ipInCidr('10.132.2.46', '10.132.2.0/23')).toBe(true);
    expect(ipInCidr('10.132.4.1', '10.132.2.0/23')).toBe(false);
    expect(ipInCidr('10.132.3.255', '10.132.2.0/23')).toBe(true);
  });
  it('treats default as containing only its own family', () => {
    expect(ipInCidr('1.2.3.4', 'default', 'inet')).toBe(true);
    expect(ipInCidr('1.2.3.4', 'default', 'inet6')).toBe(false);
  });
  it('matches IPv6 with :: compression and never mixes families', () => {
    expect(ipInCidr('fd00:10:244::5', 'fd00:10:244::/64')).toBe(true);
    expect(ipInCidr('fd00:10:245::5', 'fd00:10:244::/64')).toBe(false);
    expect(ipInCidr('10.0.0.1', 'fd00::/8')).toBe(false);
    expect(sameIp('fd00::1', 'fd00:0:0:0:0:0:0:1')).toBe(true);
  });
  it('gives host routes the full prefix length and rejects garbage', () => {
    expect(prefixLength('10.0.0.1')).toBe(32);
    expect(prefixLength('default')).toBe(0);
    expect(prefixLength('300.0.0.1/8')).toBeNull();
    expect(ipInCidr('not-an-ip', '10.0.0.0/8')).toBe(false);
  });
  it('computes the IPv4 network of an interface address', () => {
    expect(networkOf('172.20.5.10', 22)).toBe('172.20.4.0/22');
  });
});

describe('topology queries', () => {
  const t = buildTopology(peerPodHosts(OTHER_PEERPOD));
  it('finds an interface by host, namespace and name', () => {
    expect(findInterface(t, 'edge-worker-07', OTHER_PEERPOD.podNs, 'tun-w')?.iface?.vxlan?.vni).toBe(7001);
    expect(findInterface(t, 'edge-worker-07', null, 'tun-w')).toBeUndefined();
  });
  it('lists every interface owning an IP, across hosts', () => {
    const owners = interfacesOwningIp(t, '10.200.4.9')
      .map((n) => n.id)
      .sort();
    expect(owners).toEqual([`host:edge-worker-07/ns:${OTHER_PEERPOD.podNs}/if:eth0`, 'host:vm-7f3a/ns:pod-net/if:tun-v']);
  });
  it('collects addresses of all namespaces of a host', () => {
    const worker = t.hosts.find((h) => h.name === 'edge-worker-07');
    expect(worker && addressesOnHost(worker)).toEqual(expect.arrayContaining(['172.20.5.10', '10.200.4.9', '10.200.4.2']));
  });
  it('returns the edges of a node filtered by kind', () => {
    const id = `host:edge-worker-07/ns:${OTHER_PEERPOD.podNs}/if:eth0`;
    expect(nodeById(t, id)?.kind).toBe('interface');
    expect(edgesOf(t, id, 'veth')).toHaveLength(1);
    expect(edgesOf(t, id, 'tc-redirect')).toHaveLength(2);
    expect(edgesOf(t, id, 'tunnel')).toHaveLength(0);
  });
});
