/** A pod VM's collector output handed to Tunnelscope is the last way a pod VM is reached, and the bundle says so. */
import { describe, expect, it } from 'vitest';
import { importFiles } from '@/lib/capture/import';

/** The first lines of public/tunnelscope-collect.sh's output, as it printed them with --role ROLE. */
function output(host: string, role: string): string {
  return [
    `#tunnelscope-collect format=1 host=${host} role=${role} date=2026-12-06T17:52:11Z boundary=c1794f2a0e67`,
    `[tunnelscope@${host} /]# hostname #ts:c1794f2a0e67`,
    host,
    '#ts:c1794f2a0e67 end id=hostname ns=- exit=0 status=ok ms=119 eol=1 errs=0 erreol=1 optional=0',
    '',
  ].join('\n');
}

describe('uploaded collector outputs', () => {
  it('mark a pod VM as reached by upload, and no other host', () => {
    const { bundle, problems } = importFiles([
      { name: 'vm.txt', content: output('podvm-a', 'podvm') },
      { name: 'node.txt', content: output('worker-a', 'worker') },
    ]);
    expect(problems).toEqual([]);
    expect(bundle.hosts.map((h) => [h.name, h.podVm])).toEqual([
      ['podvm-a', { via: 'upload', skipped: [] }],
      ['worker-a', undefined],
    ]);
  });
});
