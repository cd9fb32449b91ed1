import { describe, expect, it } from 'vitest';
import { inCidr, networkOf, parseCidr } from '@/lib/diagnose/ip';
import { isSpecialAddress } from '@/lib/topology/ip';

describe('address helpers of the rules', () => {
  it('match IPv4 and IPv6 addresses against prefixes, not only exact host routes', () => {
    expect(inCidr('10.132.3.250', '10.132.2.0/23')).toBe(true);
    expect(inCidr('10.132.4.1', '10.132.2.0/23')).toBe(false);
    expect(inCidr('fd00:10:244:1::5', 'fd00:10:244:1::/64')).toBe(true);
    expect(inCidr('fd00:10:244:2::5', 'fd00:10:244:1::/64')).toBe(false);
    expect(inCidr('FD00:10:244:1::5', 'fd00:10:244:1::5')).toBe(true);
    expect(inCidr('10.0.0.1', 'fd00::/8')).toBe(false);
    expect(inCidr('10.0.0.1', 'default')).toBe(true);
  });

  it('give the network of an interface address once, ready for `ip route`', () => {
    expect(networkOf('10.132.2.46', 23)).toBe('10.132.2.0/23');
    expect(networkOf('192.168.10.163', 32)).toBe('192.168.10.163/32');
    expect(networkOf('fd00::1', 64)).toBeUndefined();
  });

  it('reject prefixes that are not one address and one length', () => {
    expect(parseCidr('10.0.0.0/24')).toEqual({ address: '10.0.0.0', prefixlen: 24 });
    expect(parseCidr('fd00::/64')).toEqual({ address: 'fd00::', prefixlen: 64 });
    expect(parseCidr('10.0.0.0/24/24')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });

  it('treat loopback, link-local and unspecified addresses as never unique', () => {
    for (const ip of ['127.0.0.53', '169.254.1.1', '0.0.0.0', '::1', '::', 'fe80::1', 'febf::1']) expect(isSpecialAddress(ip)).toBe(true);
    for (const ip of ['10.132.2.46', 'fd00::1', '192.168.10.1']) expect(isSpecialAddress(ip)).toBe(false);
  });
});
