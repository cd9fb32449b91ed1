import { describe, expect, it } from 'vitest';
import { elementWords, oneLineWhy, prettyEvidence } from '@/lib/view/evidence';

describe('evidence as people read it', () => {
  it('pretty-prints JSON lines and leaves other text as it is', () => {
    const shown = prettyEvidence(['{"ifindex":3,"ifname":"vxlan0","address":"7e:e5:f7:e6:f5:1a","linkinfo":{"info_data":{"id":555005}}}']);
    expect(shown.json).toBe(true);
    expect(shown.text.split('\n')).toContain('  "address": "7e:e5:f7:e6:f5:1a",');
    expect(shown.text.split('\n')).toContain('      "id": 555005');
    expect(prettyEvidence(['name=c16c external_ids={attached_mac="0a:58:0a:84:02:2e"}'])).toEqual({ text: 'name=c16c external_ids={attached_mac="0a:58:0a:84:02:2e"}', json: false });
    expect(prettyEvidence(['{"a":1}', '{broken']).json).toBe(false);
  });

  it('takes the first sentence of an explanation, not a full stop inside an address', () => {
    expect(oneLineWhy('The pod VM 10.132.2.46 answers with MAC 7e:e5. OVN drops it.\nMore.')).toBe('The pod VM 10.132.2.46 answers with MAC 7e:e5.');
    expect(oneLineWhy('No sentence end here')).toBe('No sentence end here');
  });

  it('says element ids in words', () => {
    expect(elementWords('host:vm-1/ns:podns/if:vxlan0')).toBe('vxlan0 in podns on vm-1');
    expect(elementWords('host:w1/ovs:br-int')).toBe('OVS bridge br-int on w1');
    expect(elementWords('host:w1/if:eth0')).toBe('eth0 on w1');
    expect(elementWords('host:w1')).toBe('host w1');
    expect(elementWords('tunnel:host:w1/ns:a/if:vxlan1|host:vm-1/ns:podns/if:vxlan0')).toBe('tunnel vxlan1 in a on w1 ⇄ vxlan0 in podns on vm-1');
    expect(elementWords('pod:default/nginx')).toBe('pod nginx (default)');
  });
});
