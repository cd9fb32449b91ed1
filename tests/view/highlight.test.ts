import { describe, expect, it } from 'vitest';
import { highlightSegments, salientValues } from '@/lib/view/highlight';

const marked = (text: string, values: string[]) =>
  highlightSegments(text, values)
    .filter((s) => s.hit)
    .map((s) => s.text);

describe('evidence highlighting', () => {
  it("takes a finding's MACs, addresses, VNIs and MTUs from its title", () => {
    expect(salientValues("Pod VM vxlan0 has MAC 7e:e5:f7:e6:f5:1a but the pod's MAC is 0a:58:0A:84:02:2e")).toEqual(['7e:e5:f7:e6:f5:1a', '0a:58:0a:84:02:2e']);
    expect(salientValues('Node has no route to pod 10.132.2.46 (10.132.2.0/23 via ens3)')).toEqual(['10.132.2.0/23', '10.132.2.46', '10.132.2.0']);
    expect(salientValues('VXLAN VNI 555005 on w1 but 555006 on vm1, MTU 1450 > 1400 on eth0')).toEqual(['555005', '555006', '1450', '1400']);
    expect(salientValues('Neighbour fd00:10:244::5 is FAILED on 2001:db8:0:0:0:0:0:1 at 12:30')).toEqual(['2001:db8:0:0:0:0:0:1', 'fd00:10:244::5']);
  });

  it('marks the values where the evidence quotes them, and not inside longer tokens', () => {
    const line = '{"ifindex":3,"ifname":"vxlan0","mtu":1400,"address":"7E:E5:F7:E6:F5:1A","info_data":{"id":555005,"remote":"192.168.10.163"}}';
    expect(marked(line, ['7e:e5:f7:e6:f5:1a', '555005', '1400'])).toEqual(['1400', '7E:E5:F7:E6:F5:1A', '555005']);
    expect(marked('10.132.2.46/23 and 10.132.2.460 and 110.132.2.46', ['10.132.2.46'])).toEqual(['10.132.2.46']);
    expect(marked('mtu 14000 txqlen 1400', ['1400'])).toEqual(['1400']);
  });

  it('gives the whole text back as one plain piece when there is nothing to mark', () => {
    expect(highlightSegments('lo: <LOOPBACK,UP>', [])).toEqual([{ text: 'lo: <LOOPBACK,UP>', hit: false }]);
    expect(highlightSegments('a b', ['zz'])).toEqual([{ text: 'a b', hit: false }]);
  });
});
