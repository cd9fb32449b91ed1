import { describe, expect, it } from 'vitest';
import { recognizeCommand, interpretLine } from '@/lib/capture/paste/commandline';
import { COMMANDS } from '@/lib/commands';

describe('paste forms read from the command declarations', () => {
  it('maps each declared ovs-vsctl table and iptables-save table to its command', () => {
    expect(recognizeCommand('ovs-vsctl list Open_vSwitch')?.id).toBe('ovs-open-vswitch');
    expect(recognizeCommand('ovs-vsctl -f json list interface')?.id).toBe('ovs-interface');
    expect(recognizeCommand('ovs-vsctl list br')?.id).toBe('ovs-bridge');
    expect(recognizeCommand('iptables-save -t raw')?.id).toBe('iptables-raw');
    expect(recognizeCommand('iptables-save')).toMatchObject({ id: 'iptables-tables', format: 'text' });
    expect(recognizeCommand('iptables-save')?.params).toBeUndefined();
    expect(recognizeCommand('iptables-save -c')?.id).toBe('iptables-tables');
  });

  it('reads each ip listing the collector runs in its declared form and in the plain -j form people paste', () => {
    const listings = COMMANDS.filter((c) => c.tool === 'ip' && c.collect && c.scope === 'netns' && c.format === 'json');
    expect(listings.map((c) => c.id)).toEqual(expect.arrayContaining(['ip-addr', 'ip-route', 'ip6-route', 'ip-rule']));
    for (const c of listings) {
      const plain = c.argv.filter((w, i) => i === 0 || !['-d', '-s'].includes(w));
      for (const form of [c.argv.join(' '), plain.join(' ')]) expect(recognizeCommand(form), form).toMatchObject({ id: c.id, format: 'json' });
    }
  });

  it('takes no name that an object inherits for a table', () => {
    for (const line of ['ovs-vsctl list constructor', 'ovs-vsctl list __proto__', 'iptables-save -t constructor', 'iptables-save -t __proto__']) {
      expect(interpretLine(line), line).toMatchObject({ kind: 'unknown' });
    }
  });
});
