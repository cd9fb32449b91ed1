import { describe, expect, it } from 'vitest';
import { commandLine } from '@/lib/parse/parser';

describe('commandLine', () => {
  it('prints plain argv as typed and quotes each word a shell would split or expand', () => {
    expect(commandLine(['ip', '-n', 'c16c7a01-5b9e', '-j', 'route', 'show', 'table', 'all'])).toBe('ip -n c16c7a01-5b9e -j route show table all');
    expect(commandLine(['ip', 'netns', 'exec', 'my ns', 'ip', 'link'])).toBe("ip netns exec 'my ns' ip link");
    expect(commandLine(['sysctl', '-a', '-r', '^net\\.ipv4\\.(ip_forward)$'])).toBe("sysctl -a -r '^net\\.ipv4\\.(ip_forward)$'");
    expect(commandLine(['echo', '', "it's"])).toBe(`echo '' 'it'\\''s'`);
  });
});
