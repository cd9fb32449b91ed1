import { describe, expect, it } from 'vitest';
import { parseTranscript } from '@/lib/capture/paste/transcript';
import { analyze } from '@/lib/analyze';
import { fixBlocks } from '@/lib/view/fix-steps';

function findings(text: string) {
  const { hosts } = parseTranscript(text, { collectedAt: '2026-01-01T00:00:00.000Z' });
  return analyze({ format: 'tunnelscope.capture', version: 1, createdAt: '2026-01-01T00:00:00.000Z', source: { kind: 'upload', detail: 't' }, hosts }).findings;
}

const arp = (host: string, rows: string[]) => [`[root@${host} ~]# arp -an`, ...rows].join('\n');
const vtep = (ip: string, mac: string) => `? (${ip}) at ${mac} [ether] PERM on flannel.1`;

describe('vtep-mac-disagreement', () => {
  it('reports one VTEP address that nodes resolve to different MACs, naming which node holds which', () => {
    const text = [
      arp('n1', [vtep('10.244.7.0', '6e:00:00:00:00:01'), vtep('10.244.8.0', '6e:00:00:00:00:08')]),
      arp('n2', [vtep('10.244.7.0', '6e:00:00:00:00:02'), vtep('10.244.8.0', '6e:00:00:00:00:08')]),
      arp('n3', [vtep('10.244.7.0', '6e:00:00:00:00:01')]),
    ].join('\n');
    const found = findings(text).filter((f) => f.rule === 'vtep-mac-disagreement');
    expect(found.map((f) => f.title)).toEqual(['VTEP 10.244.7.0 resolves to 2 different MACs: 6e:00:00:00:00:01 on n1, n3; 6e:00:00:00:00:02 on n2']);
    expect(found[0].evidence.map((e) => e.host)).toEqual(['n1', 'n2', 'n3']);
    const n2 = fixBlocks(found[0]).find((b) => b.where === 'on n2');
    expect(n2?.lines.join('\n')).toMatch(/if 6e:00:00:00:00:02 is stale .*\nip neigh replace 10\.244\.7\.0 lladdr .* dev flannel\.1 nud permanent/);
    // The restart of the agent that writes the entry runs with kubectl, for each node holding an entry.
    expect(fixBlocks(found[0]).map((b) => b.where)).toEqual(['on n1', 'on n3', 'on n2'].flatMap((on) => [on, 'with kubectl, from any machine with access to the cluster']));
  });

  it('is silent when the nodes agree, when entries are not permanent, and when the VTEP itself was captured', () => {
    expect(findings([arp('n1', [vtep('10.244.7.0', '6e:00:00:00:00:01')]), arp('n2', [vtep('10.244.7.0', '6e:00:00:00:00:01')])].join('\n'))).toEqual([]);
    const dynamic = (mac: string) => `? (10.0.0.1) at ${mac} [ether] on eth0`;
    expect(findings([arp('n1', [dynamic('52:54:00:00:00:01')]), arp('n2', [dynamic('52:54:00:00:00:02')])].join('\n'))).toEqual([]);
    const owner = [
      '[root@n3 ~]# ip a show flannel.1',
      '5: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN group default',
      '    link/ether 6e:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff',
      '    inet 10.244.7.0/32 scope global flannel.1',
    ].join('\n');
    const withOwner = findings([arp('n1', [vtep('10.244.7.0', '6e:00:00:00:00:01')]), arp('n2', [vtep('10.244.7.0', '6e:00:00:00:00:02')]), owner].join('\n'));
    expect(withOwner.map((f) => f.rule)).toEqual(['neighbor-mac-mismatch']);
  });
});
