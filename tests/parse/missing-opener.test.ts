/**
 * Issue 21: an `ip -j addr` paste that lost the "{" of an address object left a "}" where the reader expected an
 * element; reading it took no character, so the reader stood still forever (topology and the dashboard hung).
 */
import { describe, expect, it } from 'vitest';
import { importFiles } from '@/lib/capture/import';
import { analyze } from '@/lib/analyze';
import { parseRecord } from '@/lib/parse';
import { readJsonValues } from '@/lib/parse/json-values';
import { recordOf } from './fixture';

// What `ip -j addr` prints, with the sed of the report applied to it (its first match only, as sed does on a line).
const ADDR =
  '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295}]},' +
  '{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1400,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"02:fc:00:00:00:01","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[{"family":"inet","local":"192.0.2.2","prefixlen":24,"scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]';
const MANGLED_ADDR = ADDR.replace(/"addr_info":\[\{"family":"inet"/, '"addr_info":[ "family":"inet"');

/** Runs `f` and fails when it takes longer than `ms` (the loop never returned, so this guards with a bound). */
function timed<T>(ms: number, f: () => T): T {
  const start = performance.now();
  const value = f();
  expect(performance.now() - start).toBeLessThan(ms);
  return value;
}

describe('JSON whose object opener is missing', () => {
  it('is read to its end: a stray closer is skipped and reported, the elements after it are kept', () => {
    const { values, problems } = timed(1000, () => readJsonValues('[{"n":1,"l":[ "a":1}]},{"n":2,"l":[]}]', 'x'));
    expect(values.map((v) => v.value)).toEqual([{ n: 2, l: [] }]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.line === 1)).toBe(true);
    for (const text of ['[}', '[]]]', '[ } } } ]', '[\n}\n}\n', '[,},]', '{"a":[}]}', ']']) {
      expect(() => timed(1000, () => readJsonValues(text, 'x')), JSON.stringify(text)).not.toThrow();
    }
  });

  it('in ip -j addr: the interface it damaged is reported on its line and the next one is still read', () => {
    const result = timed(1000, () => parseRecord(recordOf('ip-addr', ['ip', '-j', 'addr'], MANGLED_ADDR)));
    expect(result?.state.interfaces?.map((i) => i.name)).toContain('eth0');
    expect(result?.problems.length).toBeGreaterThan(0);
    expect(result?.problems[0]).toMatchObject({ command: 'ip -j addr', line: 1 });
  });

  it('in a pasted transcript: import, topology and diagnosis end, and name the problem', () => {
    const transcript = `root@node-a:~# ip -j addr\n${MANGLED_ADDR}\nroot@node-a:~# \n`;
    const { bundle } = importFiles([{ name: 'mangled.txt', content: transcript }]);
    expect(bundle.hosts.map((h) => h.name)).toEqual(['node-a']);
    const { topology, findings } = timed(5000, () => analyze(bundle));
    expect(Array.isArray(findings)).toBe(true);
    const host = topology.hosts.find((h) => h.name === 'node-a');
    expect(host?.problems).toContainEqual(expect.objectContaining({ command: 'ip -j addr', line: 1, message: expect.stringContaining('unreadable JSON') }));
    expect(host?.namespaces[0].interfaces.map((i) => i.name)).toContain('eth0');
  });
});
